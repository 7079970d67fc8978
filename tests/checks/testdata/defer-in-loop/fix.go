package deferinloop

import (
	"fmt"
	"os"
)

func fixWrap(names []string) {
	for _, name := range names { // the loop
		f, err := os.Open(name)
		if err == nil {
			defer f.Close() // want `in a loop` (nested in an if: found too)
		}
		g, err := os.Create(name + ".out")
		if err != nil {
			fmt.Println(err)
		}

		defer g.Close() // want `defer g.Close\(\) in a loop`
		for i := 0; i < 3; i++ {
			if i == 1 {
				continue // the inner loop's own
			}
			switch i {
			case 2:
				break // the switch's own
			}
		}
		func() {
			return // a nested function's own
		}()
	}
}

func fixTwoDefers(names []string) {
	for i := 0; i < len(names); i++ {
		a, _ := os.Open(names[i])
		defer a.Close() // want `in a loop`
		b, _ := os.Open(names[i] + ".bak")
		defer b.Close() // want `in a loop`
		fmt.Println(a.Name(), b.Name())
	}
}

func labelInside(names []string) {
	for _, name := range names {
		f, _ := os.Open(name)
		defer f.Close() // want `in a loop`
	inner:
		for i := 0; i < 2; i++ {
			for j := 0; j < 2; j++ {
				if i == j {
					continue inner
				}
			}
		}
	}
}

func noFixContinue(names []string) {
	for _, name := range names {
		f, err := os.Open(name)
		if err != nil {
			continue
		}
		defer f.Close() // want `in a loop`
	}
}

func noFixReturn(names []string) error {
	for _, name := range names {
		f, err := os.Open(name)
		if err != nil {
			return err
		}
		defer f.Close() // want `in a loop`
	}
	return nil
}

func noFixLabel(groups [][]string) {
outer:
	for _, g := range groups {
		for _, name := range g {
			f, err := os.Open(name)
			if err != nil {
				break outer
			}
			defer f.Close() // want `in a loop`
		}
	}
}

func selectBreakIsFine(names []string, done chan struct{}) {
	for _, name := range names {
		f, _ := os.Open(name)
		defer f.Close() // want `in a loop`
		select {
		case <-done:
			break
		default:
		}
	}
}

func noFixRawString(names []string) {
	for _, name := range names {
		f, _ := os.Open(name)
		defer f.Close() // want `in a loop`
		fmt.Println(`multi
line`)
	}
}
