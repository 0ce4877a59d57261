package main

import (
	"bufio"
	"fmt"
	"io"
	"regexp"
	"sort"
	"strings"
	"time"
)

// A stage is a part of the model's work, named by the functions in it.
type stage struct {
	name  string
	funcs *regexp.Regexp
}

// stages are tried in order on the innermost function of package model of
// each sample's stack.
var stages = []stage{
	{"tokenizer", regexp.MustCompile(`\(\*(fastTokenizer|splitState|sugarmeTokenizer)\)|model\.(normalizeWord|isBertPunct|isBertControl|isChinese|dropped|trimSeparators|blankControls|blankMarks|contextWords|cleanCuts|isPunct|printable|space)$`)},
	{"lexicon match", regexp.MustCompile(`\(\*matcher\)|\(\*formTable\)|\(\*analysis\)\.patterns$|model\.(record|load8|startBit)$`)},
	{"rules: sentences, clauses, negation, person, tense", regexp.MustCompile(`\(\*analysis\)|\(\*Model\)\.(analyze|matches)$|model\.(abbreviation|pastForm|resize|hasLetter)|\(\*ruleSet\)\.add$`)},
	{"distributional words (their look-ups count as lexicon match)", regexp.MustCompile(`\(\*Model\)\.(distributional|distribEvidence)$|model\.distribFeature$`)},
	{"scoring, evidence, the rest of Classify", regexp.MustCompile(`\(\*Model\)\.(Classify|features|evidence)|model\.(softmax|top|logits|ruleSet|ruleFeature|globalFeature|rule\.String)|\(\*Model\)\.term$`)},
}

const modelPkg = "github.com/stancehq/stance/model."

// share is a stage's share of the profile.
type share struct {
	name, share string
}

// profileStages reads the output of go tool pprof -traces and charges
// every sample under (*model.Model).Classify to the stage of the innermost
// function of package model on its stack, so that time in the runtime (map
// look-ups, allocation) counts for the model code that caused it. It
// returns the stages, largest first, and the background garbage
// collection as a share of Classify's time.
func profileStages(in io.Reader) ([]share, error) {
	charged := map[string]time.Duration{}
	var total, gc time.Duration
	var value time.Duration
	var stack []string
	flush := func() {
		defer func() { stack, value = stack[:0], 0 }()
		if value == 0 || len(stack) == 0 {
			return
		}
		if strings.HasPrefix(stack[len(stack)-1], "runtime.gcBgMarkWorker") {
			gc += value
			return
		}
		inClassify := false
		for _, f := range stack {
			inClassify = inClassify || f == modelPkg+"(*Model).Classify"
		}
		if !inClassify {
			return // loading the model and the quotes
		}
		total += value
		for _, f := range stack {
			if !strings.HasPrefix(f, modelPkg) {
				continue
			}
			for _, s := range stages {
				if s.funcs.MatchString(f) {
					charged[s.name] += value
					return
				}
			}
			charged["other model code"] += value
			return
		}
		charged["other"] += value
	}
	sc := bufio.NewScanner(in)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "-----------+") {
			flush()
			continue
		}
		fields := strings.Fields(line)
		switch {
		case len(fields) == 2 && len(stack) == 0:
			// The first line of a trace: the sample's value and the
			// innermost function.
			d, err := time.ParseDuration(fields[0])
			if err != nil {
				continue // a header line
			}
			value, stack = d, append(stack, fields[1])
		case len(fields) == 1 && len(stack) > 0:
			stack = append(stack, fields[0])
		}
	}
	flush()
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if total == 0 {
		return nil, fmt.Errorf("no samples in (*model.Model).Classify")
	}
	names := make([]string, 0, len(charged))
	for n := range charged {
		names = append(names, n)
	}
	sort.Slice(names, func(i, j int) bool { return charged[names[i]] > charged[names[j]] })
	var out []share
	for _, n := range names {
		out = append(out, share{n, fmt.Sprintf("%.0f%%", 100*float64(charged[n])/float64(total))})
	}
	out = append(out, share{"garbage collection, in the background", fmt.Sprintf("%.0f%% more", 100*float64(gc)/float64(total))})
	return out, nil
}
