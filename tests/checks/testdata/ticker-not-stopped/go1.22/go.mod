module example.com/ticker122

go 1.22
