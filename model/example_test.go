package model_test

import (
	"fmt"
	"log"

	"github.com/stancehq/stance/model"
)

func ExampleModel_Classify() {
	m, err := model.New()
	if err != nil {
		log.Fatal(err)
	}
	res, err := m.Classify(model.Input{Text: "We categorically reject these baseless allegations."})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(res.Label)
	// Output: denial
}

func ExampleParseLabel() {
	l, err := model.ParseLabel("threat")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(l, int(l))
	// Output: threat 2
}
