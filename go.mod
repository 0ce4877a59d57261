module github.com/stancehq/stance

go 1.25
