module example.com/plumber-examples

go 1.22
