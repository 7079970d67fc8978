package cli

import (
	"time"

	"github.com/spf13/cobra"
)

// A cobra command's Run: one command runs per process.
func mirrorCommandFunc(cmd *cobra.Command, args []string) {
	mirror()
}

// Called once from the command: the progress printer lives as long as the command.
func mirror() {
	go func() {
		for {
			time.Sleep(30 * time.Second)
		}
	}()
}

// Per call from a loop: leaks.
func poll(urls []string) {
	for range urls {
		go func() { // want `the goroutine runs an endless loop`
			for {
				time.Sleep(time.Second)
			}
		}()
	}
}

func NewMirrorCommand() *cobra.Command {
	return &cobra.Command{Use: "mirror", Run: mirrorCommandFunc}
}
