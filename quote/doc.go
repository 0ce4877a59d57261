// Package quote finds the quoted statements in a news article and says who
// the article credits with each. The stance server's ClassifyDocument RPC
// and the CLI's corpus command run it over article text; a classifier then
// labels each quote, using the reporter's sentence around it as context.
//
// Everything is rule-based, so that every answer can be explained: a Quote
// carries the rule (Cue) that found its Speaker and the words the article
// used for the speaker there (Mention).
//
// # Finding quotes
//
// The text is read one paragraph (line) at a time; a line that starts
// with a lower-case letter right after a line that does not end a sentence
// is taken for a hard-wrapped continuation of that line. Quotation marks
// are paired with a stack: curly double (“ ”), straight double ("), low
// and angle marks („ « »), single marks (‘ ’ ') and doubled single marks
// (two apostrophes, or ‘‘ and ’’, which some wire and scraped text uses for
// double ones). A mark's role comes from its neighbours: a mark after a space and before a word opens, one after
// a word or punctuation and before a space or punctuation closes, and a
// curly mark typed the wrong way round is read by its position. A single
// mark between letters (Pakistan’s, don't), before an elided word or a
// decade (’n’, ’em, ’til, the ’90s) or after a plural "s" followed by a
// lower-case word (officials’ remarks) is an apostrophe. A single mark left
// open at the end of a paragraph is taken for an apostrophe and the
// paragraph is read again.
//
// Only outermost quotes are returned, so spans never overlap: a quote
// nested inside another (“He told me, ‘Go home,’ ” …) stays part of the
// outer one's Text.
//
// A double quote that is not closed in its paragraph runs to the end of the
// paragraph. News style leaves the closing mark off a paragraph whose quote
// continues in the next one, which then opens with a quotation mark; each
// paragraph's part is its own Quote, and the parts share a speaker (Cue
// "continuation") when only one of them is attributed. A quote left open at
// the end of an article simply ends there.
//
// # Headlines and scare quotes
//
// A quote is returned whether it is a whole statement or one or two words
// inside the reporter's sentence: scare quotes around a name or a phrase
// (the “Kandahar umbrella”) are kept, as the gold data keeps them, and
// get the speaker the sentence gives. Quotes in headlines are not returned:
// a title, a subhead, or an item of a "related articles" list ("Pakistan
// makes ‘last-ditch’ bid …", 'BROAD DAYLIGHT') quotes a phrase to sell the
// story, it is not a statement with a speaker, and the gold data leaves
// them out. A paragraph counts as a headline when it is at most 20 words
// long and does not end in sentence punctuation (. ! ? … : ; or a closing
// bracket), unless it opens with an unclosed quote (a quote running on),
// has a quote ending in a comma (“…,” he said), is a pull quote signed with
// a dash (“…” — Khawaja Asif) or is the text of an embedded tweet.
// Captions and tweets end in punctuation or a tweet link and are read as
// prose.
//
// # Attribution
//
// Each paragraph is cut into the reporter's sentences, with every quote as
// a single token, so that words inside quotes never count as attribution
// ("According to my information …" inside a quote names no source). In a
// sentence the rules look for attribution sites: a reporting verb from a
// large list (said, told, added, stated, stressed, warned, noted, insisted,
// claimed, wrote, posted, asserted, declared, argued, explained, urged,
// vowed, accused, described, called, pledged, reported, …, in all their
// forms), "according to X", "quoted X as saying" and "with X saying".
// Nouns are told from verbs by what precedes them ("the claims", "a
// warning"), and passives ("was told") and "said to be" are skipped.
//
// The speaker of a finite verb is the noun phrase before it, read back
// past auxiliaries and adverbs ("Islamabad has long accused") and past a
// relative clause, participle phrase or appositive set off by commas
// ("Hamdullah, a 39-year-old shopkeeper …, told AFP"; "A senior official,
// speaking on background, said") and past an adverbial of time or place
// that opens the sentence without a comma ("Earlier this week the
// ministry said", "In Tirana on Monday the minister said"; a bare place
// name, "Moscow said", stays the speaker); after a quote it may follow the verb
// ("“…,” said foreign ministry spokesman Randhir Jaiswal"). A participle
// ("…, stating that", "labeling it a “failed state”") or a verb joined by
// "and" or "but" takes the subject of the attribution before it in the
// sentence, or the sentence's subject.
//
// A quote takes, in this order: an attribution right after it ("“…,” he
// said"; Cue "said_after", "told" or "pronoun"); the closest attribution
// before it in the sentence ("X said that “…”", "X warned: “…”"; Cue
// "said_before", "according_to", "quoted_as", "participle" or "pronoun";
// when that is a pronoun that names no one, as in "Police said … in what
// they described as “…”", the attribution before it, "said_before");
// an attribution later in the sentence ("Pakistan is making a “last-ditch
// effort” …, a security official said"; "said_after"); after a colon in a
// sentence with no reporting verb, the sentence's subject ("Asif had a
// message for Kabul: “…”"; "said_before"); a name after a dash ("“…” —
// Khawaja Asif"; "said_after"). A quote without any of these takes the
// author of the embedded tweet it is in
// ("tweet"), the speaker of the other parts of a quote running over
// paragraphs ("continuation"), the speaker of the quote right before it in
// the same or the previous paragraph ("continuation"), a bare attribution
// opening the next sentence ("“…” Smith said."; "next_sentence"), or the
// speaker of the sentence before ("previous_sentence").
//
// # Speakers
//
// Speaker is what the article calls the speaker. A proper name is returned
// without its titles and descriptions ("Defence Minister Khawaja Asif" and
// "Pakistan’s defense minister Khawaja Asif" give "Khawaja Asif", "defense
// analyst Maj. Gen. (r) Inam-ul-Haq" gives "Inam-ul-Haq"); a common noun
// phrase is returned as written, without its modifiers ("A Pakistani
// security official familiar with the negotiations" gives "A Pakistani
// security official"; "Officials"; "a spokesperson"). References are then
// resolved against what the article said before:
//
//   - he, she: the subject of the nearest earlier sentence that has a
//     person as subject (or the last person it mentions), looking back at
//     most eight sentences and skipping people whose description or earlier
//     pronoun says the other gender ("spokeswoman", "Mr"); they: the
//     nearest plural speaker; it: the nearest body ("The bank said … “…,”
//     it said"). An unnamed source that only vouches for the reporter's
//     words in a sentence without quotes ("…, a diplomatic source said";
//     "according to officials") is taken only when nothing else fits;
//     a named one is not set aside;
//   - a surname or short name ("Asif", "Haq"): the last full name ending in
//     it ("Khawaja Asif", "Inam-ul-Haq");
//   - an acronym ("the RTA"): the name it was given for, or whose initials
//     it is;
//   - a description ("the official", "the minister", "the state outlet"):
//     the last speaker whose words hold its head noun, or a noun of the
//     same kind, and its other words;
//   - a bare title ("Pakistan's Information Minister"): the name the article
//     gives with that title, before or a little after.
//
// A reference that cannot be resolved is returned as written, except a
// pronoun, which gives "" (unknown). SpeakerMatches compares a speaker with
// a hand-labelled one.
//
// # Input
//
// Offsets are byte offsets into the text, which should be valid UTF-8:
// callers validate it. Extract never panics, whatever the input, and its
// work grows linearly with the length of the text.
package quote
