package client_test

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"log"
	"os"
	"time"

	"github.com/stancehq/stance/client"
	stancev1 "github.com/stancehq/stance/proto/stance/v1"
)

func ExampleNew() {
	c, err := client.New("localhost:8080", client.WithTimeout(5*time.Second))
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	// No connection is made until the first call, such as:
	// r, err := c.Classify(ctx, &stancev1.Quote{Text: "We will retaliate."})
}

func ExampleNew_servers() {
	// Two servers, balanced round-robin; a call or stream that finds one
	// of them gone goes to the other. The CA file and token are those the
	// servers were started with (cmd/stanced --tls-cert, --auth-token-file).
	pem, err := os.ReadFile("ca.pem")
	if err != nil {
		log.Fatal(err)
	}
	roots := x509.NewCertPool()
	roots.AppendCertsFromPEM(pem)
	c, err := client.New("10.0.0.1:50051,10.0.0.2:50051",
		client.WithTLS(&tls.Config{RootCAs: roots, MinVersion: tls.VersionTLS12}),
		client.WithToken(os.Getenv("STANCE_TOKEN")))
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
}

func ExampleClient_ClassifyAll() {
	// A real program connects to a running stanced:
	//   c, err := client.New("localhost:8080")
	// This example talks to an in-memory fake whose labels follow keywords.
	c, stop, err := serveFake(&fake{}, client.WithStreams(2))
	if err != nil {
		log.Fatal(err)
	}
	defer stop()

	quotes := []*stancev1.Quote{
		{Id: "a", Text: "We deny any involvement."},
		{Text: "They are to blame for the attack."}, // gets id "1"
		{Id: "c", Text: "   "},                      // blank: not sent
		{Id: "d", Text: "We welcome talks."},
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	results, err := c.ClassifyAll(ctx, quotes)
	if err != nil {
		fmt.Println("error:", err)
	}
	for i, r := range results {
		if r == nil {
			fmt.Printf("quotes[%d]: not classified\n", i)
			continue
		}
		fmt.Printf("quotes[%d]: id %s, %s\n", i, r.GetId(), r.GetLabel())
	}
	// Output:
	// error: client: 1 invalid quote not classified: quotes[2] (id "c"): text is blank
	// quotes[0]: id a, LABEL_DENIAL
	// quotes[1]: id 1, LABEL_ACCUSATION
	// quotes[2]: not classified
	// quotes[3]: id d, LABEL_CONCILIATION
}
