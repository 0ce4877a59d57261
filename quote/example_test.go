package quote_test

import (
	"fmt"

	"github.com/stancehq/stance/quote"
)

func ExampleExtract() {
	text := `Pakistan warns of ‘open war’ with Kabul

ISLAMABAD (Wire) - Defence Minister Tariq Jamil said on Saturday that Pakistan would not accept "verbal assurances" from Kabul.
“Provide a written guarantee. This is not an unreasonable demand,” he stressed.`
	for _, q := range quote.Extract(text) {
		fmt.Printf("%q\n\t%s, %s (%s)\n", q.Text, q.Kind, q.Speaker, q.Cue)
	}
	// Output:
	// "verbal assurances"
	// 	partial, Tariq Jamil (said_before)
	// "Provide a written guarantee. This is not an unreasonable demand,"
	// 	full, Tariq Jamil (pronoun)
}

func ExampleSpeakerMatches() {
	fmt.Println(quote.SpeakerMatches("Asif", "Khawaja Asif"))
	fmt.Println(quote.SpeakerMatches("Khawaja Muhammad Asif", "Khawaja Asif"))
	fmt.Println(quote.SpeakerMatches("Imran Khan", "Ayub Khan"))
	// Output:
	// true
	// true
	// false
}
