package quote

import (
	"testing"
)

// span is a quote's text, speaker and cue, for comparing with a want.
type span struct {
	Text, Speaker, Cue string
	Kind               Kind
}

func spans(qs []Quote) []span {
	var out []span
	for _, q := range qs {
		out = append(out, span{q.Text, q.Speaker, q.Cue, q.Kind})
	}
	return out
}

// extract runs Extract and checks its invariants.
func extract(t *testing.T, text string) []Quote {
	t.Helper()
	qs := Extract(text)
	checkQuotes(t, text, qs)
	return qs
}

// TestMarks checks which marks make quotes and where the spans are. The
// sentences are written for the tests in the style of wire copy.
func TestMarks(t *testing.T) {
	tests := []struct {
		name string
		text string
		want []string // the Text of each quote
	}{
		{"curly", "He called it a “failed state.”", []string{"failed state."}},
		{"straight", `He called it a "failed state."`, []string{"failed state."}},
		{"two in a sentence", `"We will fight," he said, "and we will win."`, []string{"We will fight,", "and we will win."}},
		{"apostrophes are not quotes", "Pakistan’s minister said it didn’t matter in the ’90s, rock ’n’ roll or the officials’ view.", nil},
		{"straight apostrophes", "Pakistan's minister said it didn't matter in the '90s or the officials' view.", nil},
		{"nested single in double", "“My client was told, ‘Go home,’ and he went,” the lawyer said.", []string{"My client was told, ‘Go home,’ and he went,"}},
		{"nested double in single", "‘They call it “peace”, we call it war,’ she said.", []string{"They call it “peace”, we call it war,"}},
		{"single quotes in prose", "'Not in writing,' Butt replied. He added: ‘There were witnesses.’", []string{"Not in writing,", "There were witnesses."}},
		{"possessive inside a single quote", "‘The officials’ remarks were unhelpful,’ she said.", []string{"The officials’ remarks were unhelpful,"}},
		{"unclosed runs to paragraph end", "He said: “We are not done.  \nNext paragraph.", []string{"We are not done."}},
		{"unclosed at end of text", `"Commitments must be real.`, []string{"Commitments must be real."}},
		{"continuation paragraphs", "“First part.\n“Second part,” he said.", []string{"First part.", "Second part,"}},
		{"empty and punctuation-only quotes are skipped", `He said "" and " " and "…" then "ok".`, []string{"ok"}},
		{"inch mark", `A 12" pipe burst, officials said "late on Monday".`, []string{"late on Monday"}},
		{"reversed curly marks", "He said ”no” twice.", []string{"no"}},
		{"guillemets", "Il a dit «non».", []string{"non"}},
		{"headline quotes are left out", "Pakistan makes ‘last-ditch’ bid to press Taliban\n\nThe minister said it was a “last-ditch effort”.", []string{"last-ditch effort"}},
		{"subhead in quotes is left out", "'BROAD DAYLIGHT'\n\nIt happened in “broad daylight,” he said.", []string{"broad daylight,"}},
		{"related list is left out", "Related Articles\nKabul rejects ‘baseless’ claims\nTrump says “no deal” with Iran", nil},
		{"tweet text without final stop is kept", "Those behind this \"cowardly attack\" will pay pic.twitter.com/abc\n— Mohsin Raza (@raza) March 9, 2025", []string{"cowardly attack"}},
		{"caption is prose", "A shopkeeper closes his shop. “We cannot survive,” said trader Bilal Ahmed. (Wire photo)", []string{"We cannot survive,"}},
		{"CRLF line ends", "“One.\r\n“Two,” he said.\r\n", []string{"One.", "Two,"}},
		{"unclosed single quote opening a sentence", "‘Peace needs more than words,’ he said. ‘Commitments must be real.\nRelated", []string{"Peace needs more than words,", "Commitments must be real."}},
		{"unclosed single mark mid-sentence is an apostrophe", "The ‘good Taliban narrative is back, he said.", nil},
		{"doubled single marks", "''We will respond,'' he said. ‘‘Soon.’’", []string{"We will respond,", "Soon."}},
		{"hard-wrapped paragraph", "He said that \"if terrorism\nis not from your soil, say so.\"\nNext.", []string{"if terrorism\nis not from your soil, say so."}},
		{"pull quote signed with a dash", "“Pakistan will never allow it” — Omar Siddiqui", []string{"Pakistan will never allow it"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, q := range extract(t, tt.text) {
				got = append(got, q.Text)
			}
			if !equal(got, tt.want) {
				t.Errorf("Extract(%q) texts = %q, want %q", tt.text, got, tt.want)
			}
		})
	}
}

func equal(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestSpeakers checks attribution, one rule per row. The texts are written
// for the tests in the style of wire copy; the names are invented.
func TestSpeakers(t *testing.T) {
	tests := []struct {
		name string
		text string
		want []span
	}{
		{"X said after", "“We will not allow this,” Prime Minister Sara Malik said on Monday.",
			[]span{{"We will not allow this,", "Sara Malik", "said_after", Full}}},
		{"said X inverted", `"Such statements vitiate the atmosphere," said Foreign Office spokeswoman Rabia Baloch at the briefing.`,
			[]span{{"Such statements vitiate the atmosphere,", "Rabia Baloch", "said_after", Full}}},
		{"said the description, name", "“People want to dance,” said the union's secretary, Nadia Hussain.",
			[]span{{"People want to dance,", "Nadia Hussain", "said_after", Full}}},
		{"X said before, partial", "Officials said the position remains “lawful and measurable,” insisting on written terms.",
			[]span{{"lawful and measurable,", "Officials", "said_before", Partial}}},
		{"told", "“We are looking at every tool,” a senior administration official told Wire, speaking on condition of anonymity.",
			[]span{{"We are looking at every tool,", "a senior administration official", "told", Full}}},
		{"appositive age and relative clause", `"We have lost everything," Fatima Bibi, 60, whose home was destroyed, told Wire.`,
			[]span{{"We have lost everything,", "Fatima Bibi", "told", Full}}},
		{"according to", `The attack was "an act of cowardice," according to provincial government spokesman Shahid Rind.`,
			[]span{{"an act of cowardice,", "Shahid Rind", "according_to", Partial}}},
		{"according to a statement from", `According to a statement from the military's media wing, troops "neutralised" five militants.`,
			[]span{{"neutralised", "the military's media wing", "according_to", Partial}}},
		{"pronoun to last subject", "Governor Jamal Hashmi told a news conference that inflation would ease. “We are cautious,” he said.",
			[]span{{"We are cautious,", "Jamal Hashmi", "pronoun", Full}}},
		{"pronoun to anonymous official", "A senior security official, speaking on background, said the talks could go on. “Peace cannot rest on words alone,” he said.",
			[]span{{"Peace cannot rest on words alone,", "A senior security official", "pronoun", Full}}},
		{"it to a body", "The bank said in a statement that the decision was unanimous. “The committee will review the stance,” it said.",
			[]span{{"The committee will review the stance,", "The bank", "pronoun", Full}}},
		{"unresolvable pronoun", "“We are ready,” he said.",
			[]span{{"We are ready,", "", "", Full}}},
		{"surname to full name", "Interior Minister Mohsin Raza visited the site. “We will not spare them,” Raza said.",
			[]span{{"We will not spare them,", "Mohsin Raza", "said_after", Full}}},
		{"definite description to named minister", "Defence Minister Tariq Jamil spoke to reporters. “This is not an unreasonable demand,” said the minister.",
			[]span{{"This is not an unreasonable demand,", "Tariq Jamil", "said_after", Full}}},
		{"bare title refers forward", `The talks, which the Information Minister stated "failed to bring any solution", ended. The Information Minister, Attaullah Sami, said the door was open.`,
			[]span{{"failed to bring any solution", "Attaullah Sami", "said_before", Partial}}},
		{"acronym", "Afghan state broadcaster Radio Television of Afghanistan (RTA) reported that “most issues have been resolved.” “The Islamic Emirate is committed,” the RTA said.",
			[]span{{"most issues have been resolved.", "Radio Television of Afghanistan", "said_before", Partial}, {"The Islamic Emirate is committed,", "Radio Television of Afghanistan", "said_after", Full}}},
		{"participle takes the subject", `Pakistan's Defence Minister Tariq Jamil issued a warning, stating that Pakistan would strike "deep into Afghanistan".`,
			[]span{{"deep into Afghanistan", "Tariq Jamil", "participle", Partial}}},
		{"with X saying", `The UN expressed concern, with a spokesperson stating, "We very much hope the fighting will not renew".`,
			[]span{{"We very much hope the fighting will not renew", "a spokesperson", "participle", Full}}},
		{"quoted as saying", `State media quoted President Ali Reza as saying Iran "will not bow" to pressure.`,
			[]span{{"will not bow", "Ali Reza", "quoted_as", Partial}}},
		{"coordinated verb", `Officials maintain that dialogue is possible, but emphasize that "peace cannot rest on words alone".`,
			[]span{{"peace cannot rest on words alone", "Officials", "said_before", Partial}}},
		{"attribution later in the sentence", "Pakistan is making a “last-ditch effort” to convince Kabul, a Pakistani security official said on Tuesday.",
			[]span{{"last-ditch effort", "a Pakistani security official", "said_after", Partial}}},
		{"colon", "He noted the group was dormant but cautioned: “If they attack again, that will decide it.”",
			[]span{{"If they attack again, that will decide it.", "", "", Full}}},
		{"continuation in paragraph", "“We are chasing them,” Chief Minister Sarfraz Ali said.\n“We will chase them until their hideouts.”",
			[]span{{"We are chasing them,", "Sarfraz Ali", "said_after", Full}, {"We will chase them until their hideouts.", "Sarfraz Ali", "continuation", Full}}},
		{"multi-paragraph quote attributed at its end", "“We have made our position clear.\n“If they want a deal, they know where to find us,” Finance Minister Sara Malik told reporters.",
			[]span{{"We have made our position clear.", "Sara Malik", "continuation", Full}, {"If they want a deal, they know where to find us,", "Sara Malik", "told", Full}}},
		{"next sentence", `Board chairman Faisal Durrani named opener Ayesha Noor as captain. "It is the proudest day of my life." Noor said.`,
			[]span{{"It is the proudest day of my life.", "Ayesha Noor", "next_sentence", Full}}},
		{"previous paragraph", "Provincial disaster official Amina Shah said convoys were on their way.\n\"The roads are cut in three places.\"",
			[]span{{"The roads are cut in three places.", "Amina Shah", "previous_sentence", Full}}},
		{"tweet author", "Our soldiers gave their lives. Those behind this \"cowardly attack\" will pay. pic.twitter.com/AbC\n— Mohsin Raza (@MohsinRazaPK) March 9, 2025",
			[]span{{"cowardly attack", "Mohsin Raza", "tweet", Partial}}},
		{"scare quote without a speaker", "The group operates under the so-called “Kandahar umbrella” in the south.",
			[]span{{"Kandahar umbrella", "", "", Partial}}},
		{"what it described as", `The militia fired two rockets on Monday. The group said the shelling was "a warning" to what it described as repeated breaches of the truce.`,
			[]span{{"a warning", "The group", "said_before", Partial}}},
		{"what they described as, pronoun unresolved", `Police said six men were held over what they described as "a plot against the state".`,
			[]span{{"a plot against the state", "Police", "said_before", Partial}}},
		{"through a spokesman", `Secretary-General Lina Ortiz, through a spokesman, urged all sides "to stop all military actions".`,
			[]span{{"to stop all military actions", "Lina Ortiz", "said_before", Partial}}},
		{"passive is not a speaker", `The talks were described as "frank" by diplomats.`,
			[]span{{"frank", "", "", Partial}}},
		{"words inside a quote are not attribution", "“According to my information, both sides are trying,” Afghan commentator Sami Khan said.",
			[]span{{"According to my information, both sides are trying,", "Sami Khan", "said_after", Full}}},
		{"titles removed", "“The situation is under control,” Inspector General of Police Akhtar Hayat told Dawn. “We are ready,” said Maj. Gen. (r) Inam-ul-Haq.",
			[]span{{"The situation is under control,", "Akhtar Hayat", "told", Full}, {"We are ready,", "Inam-ul-Haq", "said_after", Full}}},
		{"statement issued by", `"We have given them enough time," said a statement issued by the Prime Minister's Office.`,
			[]span{{"We have given them enough time,", "Prime Minister's Office", "said_after", Full}}},
		{"passive quoted by", `Foreign Minister Abdul Hadi Saleh arrived. He was quoted by state television as saying Kabul "wants good relations".`,
			[]span{{"wants good relations", "Abdul Hadi Saleh", "pronoun", Partial}}},
		{"first name alone", `Prime Minister Omar Siddiqui chaired the meeting. PM Omar said Pakistan would "not bow".`,
			[]span{{"not bow", "Omar Siddiqui", "said_before", Partial}}},
		{"signed with a dash", "“Pakistan will never allow it” — Omar Siddiqui",
			[]span{{"Pakistan will never allow it", "Omar Siddiqui", "said_after", Full}}},
		{"pronoun gender from the description", "Mr Tariq Jamil met spokeswoman Rabia Baloch on Monday. Jamil said talks went well. “We agreed on a plan,” she said.",
			[]span{{"We agreed on a plan,", "Rabia Baloch", "pronoun", Full}}},
		{"colon without a verb", "Defence Minister Tariq Jamil had a message for Kabul: “Act now.”",
			[]span{{"Act now.", "Tariq Jamil", "said_before", Full}}},
		{"pronoun skips an unnamed aside source", "Negotiator Viktor Orlov said the talks were over. The meeting, a diplomatic source said, ended early. “We will be back,” he said.",
			[]span{{"We will be back,", "Viktor Orlov", "pronoun", Full}}},
		{"pronoun takes an aside source when no one else fits", "The talks ended early, a diplomatic source said. “Neither side gave ground,” he said.",
			[]span{{"Neither side gave ground,", "a diplomatic source", "pronoun", Full}}},
		{"time adverbial before the subject", `Earlier this week the ministry said the quotas were "temporary".`,
			[]span{{"temporary", "the ministry", "said_before", Partial}}},
		{"time phrase that goes on", `On Monday night the minister said the deal was "a step forward".`,
			[]span{{"a step forward", "the minister", "said_before", Partial}}},
		{"place before the subject", `In Tirana on Monday the minister said the deal was "a step forward".`,
			[]span{{"a step forward", "the minister", "said_before", Partial}}},
		{"place before a titled name", `In Tirana Prime Minister Edi Rama said "we will sign".`,
			[]span{{"we will sign", "Edi Rama", "said_before", Partial}}},
		{"subordinate phrase before the subject", `After the talks ended the minister said the deal was "a step forward".`,
			[]span{{"a step forward", "the minister", "said_before", Partial}}},
		{"place name as a metonym", `Moscow said the deal was "a step forward".`,
			[]span{{"a step forward", "Moscow", "said_before", Partial}}},
		{"name before affiliation", "Economist Nabeel Sami of the Centre for Economic Research said rates were high. He warned that \"growth will suffer\".",
			[]span{{"growth will suffer", "Nabeel Sami", "pronoun", Partial}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := spans(extract(t, tt.text))
			if len(got) != len(tt.want) {
				t.Fatalf("Extract(%q) =\n%+v\nwant\n%+v", tt.text, got, tt.want)
			}
			for i := range got {
				if got[i] != tt.want[i] {
					t.Errorf("quote %d = %+v, want %+v", i, got[i], tt.want[i])
				}
			}
		})
	}
}

func TestSpeakerMatches(t *testing.T) {
	tests := []struct {
		got, gold string
		want      bool
	}{
		{"Khawaja Asif", "Khawaja Asif", true},
		{"khawaja asif", "Khawaja Asif", true},
		{"Asif", "Khawaja Asif", true},
		{"Khawaja Muhammad Asif", "Khawaja Asif", true},
		{"Defence Minister Khawaja Asif", "Khawaja Asif", true},
		{"Imran Khan", "Ayub Khan", false},
		{"Khan", "Ayub Khan", true},
		{"Officials", "officials", true},
		{"the RTA", "RTA", true},
		{"A senior Pakistani security official", "a senior Pakistani security official", true},
		{"a Pakistani official", "a Pakistani security official", false},
		{"the official", "a Pakistani security official", false},
		{"Pakistani officials", "Officials", false},
		{"Pakistan’s spokesman", "Pakistan's spokesman", true},
		{"  Sarfraz   Bugti. ", "Sarfraz Bugti", true},
		{"", "", true},
		{"", "Khawaja Asif", false},
		{"Khawaja Asif", "", false},
		{"Haq", "Inam-ul-Haq", false},
	}
	for _, tt := range tests {
		t.Run(tt.got+"|"+tt.gold, func(t *testing.T) {
			if got := SpeakerMatches(tt.got, tt.gold); got != tt.want {
				t.Errorf("SpeakerMatches(%q, %q) = %v, want %v", tt.got, tt.gold, got, tt.want)
			}
		})
	}
}

func TestContext(t *testing.T) {
	text := "First sentence here. Asif described the situation as “critical,” labeling it a “failed state.” He left."
	qs := extract(t, text)
	want := "Asif described the situation as “critical,” labeling it a “failed state.”"
	for _, q := range qs {
		if got := text[q.ContextStart:q.ContextEnd]; got != want {
			t.Errorf("context of %q = %q, want %q", q.Text, got, want)
		}
	}
	if len(qs) != 2 {
		t.Fatalf("got %d quotes, want 2", len(qs))
	}
}

func TestKindString(t *testing.T) {
	for k, want := range map[Kind]string{Full: "full", Partial: "partial"} {
		if got := k.String(); got != want {
			t.Errorf("%d.String() = %q, want %q", k, got, want)
		}
	}
}
