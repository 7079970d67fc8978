package unclosedfile

import (
	"os"
	"testing"
)

// os/root_test.go TestRootUseAfterClose: each row's function runs where it must fail and the loop wants
// the error from it; on success the check fails the test, so nothing the call could open is kept.
func TestRowsMustFail(t *testing.T) {
	dir := t.TempDir()
	for _, test := range []struct {
		name string
		f    func(dir, filename string) error
	}{{
		name: "Open",
		f: func(dir, filename string) error {
			_, err := os.Open(dir + "/" + filename)
			return err
		},
	}, {
		name: "OpenFile",
		f: func(dir, filename string) error {
			_, err := os.OpenFile(dir+"/"+filename, os.O_RDWR, 0o666)
			return err
		},
	}} {
		err := test.f(dir, "target")
		pe, ok := err.(*os.PathError)
		if !ok || pe.Path != dir+"/target" || !os.IsNotExist(pe.Err) {
			t.Errorf("%v = %v; want a not-exist error", test.name, err)
		}
	}
}

// The table held by a local: the same.
func TestTableVariable(t *testing.T) {
	tests := []struct {
		open func(name string) error
	}{{
		open: func(name string) error {
			_, err := os.Open(name)
			return err
		},
	}}
	for _, tt := range tests {
		if err := tt.open("missing"); err == nil {
			t.Errorf("open succeeded; want an error")
		}
	}
}

// Look-alikes. The loop wants success: the file each row opens is lost.
func TestTableWantsSuccess(t *testing.T) {
	for _, test := range []struct {
		f func(name string) error
	}{{
		f: func(name string) error {
			_, err := os.Open(name) // want `discarded and never closed`
			return err
		},
	}} {
		if err := test.f("x"); err != nil {
			t.Errorf("open: %v", err)
		}
	}
}

// The row's function is also called where nothing checks it.
func TestTableCalledTwice(t *testing.T) {
	for _, test := range []struct {
		f func(name string) error
	}{{
		f: func(name string) error {
			_, err := os.Create(name) // want `discarded and never closed`
			return err
		},
	}} {
		if err := test.f("x"); err == nil {
			t.Errorf("create succeeded; want an error")
		}
		test.f("y")
	}
}

// The table is handed on: who calls the functions is not known.
func TestTableHandedOn(t *testing.T) {
	tests := []struct {
		f func(name string) error
	}{{
		f: func(name string) error {
			_, err := os.Open(name) // want `discarded and never closed`
			return err
		},
	}}
	runRows(t, tests)
	for _, tt := range tests {
		if err := tt.f("x"); err == nil {
			t.Errorf("want an error")
		}
	}
}

func runRows(t *testing.T, rows []struct{ f func(name string) error }) {
	for _, row := range rows {
		if err := row.f("x"); err != nil {
			t.Error(err)
		}
	}
}
