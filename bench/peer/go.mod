module github.com/stancehq/stance/bench/peer

go 1.26.0

require (
	github.com/jonreiter/govader v0.0.0-20250429093935-f6505c8d03cc
	github.com/stancehq/stance v0.0.0
)

require (
	github.com/emirpasic/gods v1.18.1 // indirect
	github.com/mitchellh/colorstring v0.0.0-20190213212951-d06e56a500db // indirect
	github.com/patrickmn/go-cache v2.1.0+incompatible // indirect
	github.com/rivo/uniseg v0.4.7 // indirect
	github.com/schollz/progressbar/v2 v2.15.0 // indirect
	github.com/sugarme/regexpset v0.0.0-20200920021344-4d4ec8eaf93c // indirect
	github.com/sugarme/tokenizer v0.3.0 // indirect
	golang.org/x/text v0.43.0 // indirect
	gonum.org/v1/gonum v0.8.2 // indirect
	gopkg.in/yaml.v3 v3.0.1 // indirect
)

replace github.com/stancehq/stance => ../..
