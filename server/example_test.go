package server_test

import (
	"context"
	"fmt"
	"log"
	"log/slog"
	"net"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/test/bufconn"

	"github.com/stancehq/stance/model"
	stancev1 "github.com/stancehq/stance/proto/stance/v1"
	"github.com/stancehq/stance/server"
)

func ExampleNew() {
	m, err := model.New()
	if err != nil {
		log.Fatal(err)
	}
	srv := server.New(m, server.WithMaxBatch(100), server.WithLogger(slog.New(slog.DiscardHandler)))
	gs := srv.NewGRPCServer()
	// A real program listens on TCP; the example stays in memory.
	lis := bufconn.Listen(1 << 20)
	go gs.Serve(lis)
	defer func() {
		srv.Shutdown()
		gs.GracefulStop()
	}()

	conn, err := grpc.NewClient("passthrough:///example",
		grpc.WithContextDialer(func(ctx context.Context, _ string) (net.Conn, error) { return lis.DialContext(ctx) }),
		grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		log.Fatal(err)
	}
	defer conn.Close()
	client := stancev1.NewStanceServiceClient(conn)

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	resp, err := client.ClassifyBatch(ctx, &stancev1.ClassifyBatchRequest{Quotes: []*stancev1.Quote{
		{Id: "a", Text: "We will retaliate if they attack again."},
		{Id: "b", Text: "We welcome the talks.", Speaker: "The foreign minister"},
	}})
	if err != nil {
		log.Fatal(err)
	}
	for _, r := range resp.GetResults() {
		fmt.Println(r.GetId(), len(r.GetScores()), "scores")
	}
	// Output:
	// a 5 scores
	// b 5 scores
}
