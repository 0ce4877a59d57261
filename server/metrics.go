package server

import (
	"errors"
	"fmt"

	grpcprom "github.com/grpc-ecosystem/go-grpc-middleware/providers/prometheus"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/stancehq/stance/model"
)

// Metrics is the Prometheus instrumentation of a Server. It holds, on the
// registry given to NewMetrics:
//
//   - the gRPC server metrics of go-grpc-middleware's prometheus provider,
//     for every method of every service the server registers:
//     grpc_server_started_total, grpc_server_handled_total (with the
//     status code, grpc_code), grpc_server_msg_received_total,
//     grpc_server_msg_sent_total and the histogram
//     grpc_server_handling_seconds;
//   - stance_classifications_total, by label, counting every quote the
//     model labels, whatever the call: one for each Classify, one for each
//     quote of a ClassifyBatch or ClassifyStream, one for each quote found
//     in a ClassifyDocument article. Quotes labelled by a call that then
//     fails (its client went away mid-batch) count too: the counter
//     measures the model's work, not the results delivered.
//
// A Metrics is safe for concurrent use. Pass it to New with WithMetrics; a
// Server without one records nothing and pays nothing for it.
type Metrics struct {
	grpc *grpcprom.ServerMetrics
	// labelled holds stance_classifications_total's counter for each
	// label, looked up once so that counting a quote is an atomic add.
	labelled [model.NumLabels]prometheus.Counter
}

// handlingBuckets are the upper bounds, in seconds, of the
// grpc_server_handling_seconds buckets. Prometheus's default buckets start
// at 5 ms, slower than most calls here (a unary Classify takes some
// 200 µs on loopback), and end at 10 s, shorter than a long
// ClassifyStream.
func handlingBuckets() []float64 {
	return []float64{0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
		0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300}
}

// NewMetrics creates a Server's metrics and registers them with reg,
// typically a prometheus.NewRegistry() that the program serves over HTTP
// with promhttp.HandlerFor. It fails if reg already holds metrics of the
// same names, and then registers none.
func NewMetrics(reg prometheus.Registerer) (*Metrics, error) {
	if reg == nil {
		return nil, errors.New("registering metrics: nil registerer")
	}
	gm := grpcprom.NewServerMetrics(grpcprom.WithServerHandlingTimeHistogram(
		grpcprom.WithHistogramBuckets(handlingBuckets())))
	labelled := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "stance_classifications_total",
		Help: "Quotes labelled by the model, by label, over every RPC.",
	}, []string{"label"})
	var done []prometheus.Collector
	for _, c := range []prometheus.Collector{gm, labelled} {
		if err := reg.Register(c); err != nil {
			for _, d := range done {
				reg.Unregister(d)
			}
			return nil, fmt.Errorf("registering metrics: %w", err)
		}
		done = append(done, c)
	}
	m := &Metrics{grpc: gm}
	// Every label's series exists from the start, at zero, so that rates
	// and sums over labels need no special case for a label not yet seen.
	for _, l := range model.Labels() {
		m.labelled[l] = labelled.WithLabelValues(l.String())
	}
	return m, nil
}

// WithMetrics makes the server record m: NewGRPCServer installs m's gRPC
// interceptors, and every quote labelled counts in
// stance_classifications_total. Without it (the default, or with nil) the
// server records no metrics.
func WithMetrics(m *Metrics) Option {
	return func(s *Server) { s.metrics = m }
}

// labelledAs counts one quote the model labelled l. It does nothing on a nil
// Metrics, so that callers need not check.
func (m *Metrics) labelledAs(l model.Label) {
	if m == nil || l < 0 || int(l) >= model.NumLabels {
		return
	}
	m.labelled[l].Inc()
}
