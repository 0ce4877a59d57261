package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// benchResults holds go test -bench results: benchmark name (without
// "Benchmark" and the -N suffix) to unit to the values of each run.
type benchResults map[string]map[string][]float64

// get returns the median of a benchmark's values in a unit, or NaN.
func (r benchResults) get(name, unit string) float64 {
	vs := append([]float64(nil), r[name][unit]...)
	if len(vs) == 0 {
		return nan
	}
	sort.Float64s(vs)
	if n := len(vs); n%2 == 0 {
		return (vs[n/2-1] + vs[n/2]) / 2
	}
	return vs[len(vs)/2]
}

var nan = func() float64 { v, _ := strconv.ParseFloat("NaN", 64); return v }()

// benchLine matches a result line: name, iterations, then value-unit pairs.
var benchLine = regexp.MustCompile(`^Benchmark(\S+?)(?:-\d+)?\s+\d+\s+(.*)$`)

func readBench(name string) (benchResults, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	r, err := parseBench(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return r, nil
}

func parseBench(in io.Reader) (benchResults, error) {
	r := benchResults{}
	sc := bufio.NewScanner(in)
	for sc.Scan() {
		m := benchLine.FindStringSubmatch(sc.Text())
		if m == nil {
			continue
		}
		fields := strings.Fields(m[2])
		if len(fields)%2 != 0 {
			return nil, fmt.Errorf("malformed result line %q", sc.Text())
		}
		if r[m[1]] == nil {
			r[m[1]] = map[string][]float64{}
		}
		for i := 0; i < len(fields); i += 2 {
			v, err := strconv.ParseFloat(fields[i], 64)
			if err != nil {
				return nil, fmt.Errorf("malformed value in %q", sc.Text())
			}
			r[m[1]][fields[i+1]] = append(r[m[1]][fields[i+1]], v)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if len(r) == 0 {
		return nil, fmt.Errorf("no benchmark results")
	}
	return r, nil
}

// readTime reads the wall-clock time in seconds and the peak resident set
// in MB from the output of /usr/bin/time -v.
func readTime(in io.Reader) (seconds, rssMB float64, err error) {
	sc := bufio.NewScanner(in)
	var gotTime, gotRSS bool
	for sc.Scan() {
		key, val, ok := strings.Cut(strings.TrimSpace(sc.Text()), ": ")
		if !ok {
			continue
		}
		switch {
		case strings.HasPrefix(key, "Elapsed (wall clock) time"):
			seconds, err = parseClock(val)
			if err != nil {
				return 0, 0, err
			}
			gotTime = true
		case key == "Maximum resident set size (kbytes)":
			kb, err := strconv.ParseFloat(val, 64)
			if err != nil {
				return 0, 0, fmt.Errorf("malformed resident set size %q", val)
			}
			rssMB, gotRSS = kb*1024/1e6, true
		case key == "Exit status" && val != "0":
			return 0, 0, fmt.Errorf("the command failed with exit status %s", val)
		}
	}
	if err := sc.Err(); err != nil {
		return 0, 0, err
	}
	if !gotTime || !gotRSS {
		return 0, 0, fmt.Errorf("no elapsed time or maximum resident set size")
	}
	return seconds, rssMB, nil
}

// parseClock parses [h:]mm:ss.ss.
func parseClock(s string) (float64, error) {
	parts := strings.Split(s, ":")
	total := 0.0
	for _, p := range parts {
		v, err := strconv.ParseFloat(p, 64)
		if err != nil || len(parts) > 3 {
			return 0, fmt.Errorf("malformed elapsed time %q", s)
		}
		total = total*60 + v
	}
	return total, nil
}
