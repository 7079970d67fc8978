module example.com/heapleak

go 1.27
