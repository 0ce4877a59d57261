package quote

import "strings"

// This file holds the word tables the rules consult. The tables are
// unexported package-level maps that are filled by their initializers and
// never written afterwards: treat them as read-only. Keys are lower case,
// with ’ folded to '.

// verbForm says how a reporting verb is inflected, which decides where its
// subject is: finite forms have their own subject, -ing participles borrow
// the subject of the clause they hang from, and bare forms are finite only
// after a plural subject or a modal ("officials say", "will say").
type verbForm uint8

const (
	formFinite verbForm = iota // said, says, warned, has told
	formIng                    // saying, stating, telling
	formBase                   // say, warn (present plural, or after a modal)
)

// reportingVerbs maps every inflected form of a verb of saying, or of a
// speech act that names the speaker of the quoted words (accused, dubbed,
// pledged), to its form. Cognitive verbs (believe, think) and verbs that take
// a to-infinitive without speech (agree, seek) are left out on purpose: their
// subjects are not the source of quoted words. Read-only.
var reportingVerbs = buildVerbs(
	// Regular verbs: base form; the -s, -ed and -ing forms are derived.
	"accuse acknowledge add admit affirm allege announce answer appeal argue ask assert blame boast brand call caution characterise characterize charge claim comment complain concede conclude condemn confirm contend continue criticise criticize declare decry demand denounce deny deride describe dismiss emphasise emphasize estimate exclaim explain express highlight hail indicate insist joke lament maintain mention note observe plead pledge point portray post praise predict proclaim promise protest question reaffirm recall recount reiterate reject remark reply report respond retort reveal scoff shout state stress suggest tell term testify threaten tout tweet underline underscore urge vow warn welcome write",
	// Irregular and doubled forms.
	"said:f says:f saying:i say:b told:f tells:f telling:i wrote:f writes:f writing:i "+
		"labelled:f labelling:i labeled:f labeling:i signalled:f signalling:i signaled:f signaling:i "+
		"slammed:f slamming:i dubbed:f dubbing:i quipped:f quipping:i admitted:f admitting:i rebutted:f "+
		"spoke:f speaks:f",
	// Forms too often nouns or adjectives to count as verbs on their own.
	"state note report comment stress post point call question term charge demand promise estimate protest reply answer joke shout plead praise tweet appeal blame welcome express tout reports notes posts points calls questions terms promises estimates protests replies answers jokes shouts charges demands appeals tweets comments stresses",
)

// buildVerbs expands regular base forms into their inflections, adds the
// explicitly listed forms (form:f finite, :i participle, :b base) and then
// drops the forms in drop that would mostly be read as nouns.
func buildVerbs(regular, irregular, drop string) map[string]verbForm {
	m := make(map[string]verbForm)
	for _, b := range strings.Fields(regular) {
		m[b] = formBase
		m[thirdPerson(b)] = formFinite
		m[pastTense(b)] = formFinite
		m[ingForm(b)] = formIng
	}
	for _, f := range strings.Fields(irregular) {
		w, tag, _ := strings.Cut(f, ":")
		switch tag {
		case "i":
			m[w] = formIng
		case "b":
			m[w] = formBase
		default:
			m[w] = formFinite
		}
	}
	for _, w := range strings.Fields(drop) {
		delete(m, w)
	}
	// The derived past of "tell" and "write" is not a word; the irregular
	// list above has the real one.
	delete(m, "telled")
	delete(m, "writed")
	return m
}

func thirdPerson(b string) string {
	switch {
	case strings.HasSuffix(b, "s"), strings.HasSuffix(b, "sh"), strings.HasSuffix(b, "ch"), strings.HasSuffix(b, "x"), strings.HasSuffix(b, "z"):
		return b + "es"
	case len(b) > 1 && strings.HasSuffix(b, "y") && !isVowel(b[len(b)-2]):
		return b[:len(b)-1] + "ies"
	}
	return b + "s"
}

func pastTense(b string) string {
	switch {
	case strings.HasSuffix(b, "e"):
		return b + "d"
	case len(b) > 1 && strings.HasSuffix(b, "y") && !isVowel(b[len(b)-2]):
		return b[:len(b)-1] + "ied"
	}
	return b + "ed"
}

func ingForm(b string) string {
	if strings.HasSuffix(b, "e") && !strings.HasSuffix(b, "ee") {
		return b[:len(b)-1] + "ing"
	}
	return b + "ing"
}

func isVowel(c byte) bool { return strings.IndexByte("aeiou", c) >= 0 }

// wordSet builds a read-only set from space-separated words.
func wordSet(words ...string) map[string]bool {
	m := make(map[string]bool)
	for _, s := range words {
		for _, w := range strings.Fields(s) {
			m[w] = true
		}
	}
	return m
}

// auxWords are auxiliaries, modals and adverbs that may stand between a
// subject and its reporting verb ("Islamabad has long accused", "Asif
// likewise claimed"). Read-only.
var auxWords = wordSet(
	"has have had is was were are be been being will would could should can may might must shall did does do not n't never",
	"also likewise further then later again earlier still once long too now first previously repeatedly publicly reportedly separately specifically directly however meanwhile even already just only",
)

// passiveAux are the forms of "be" that make a following past participle
// passive ("the talks were dismissed"), so the verb has no speaker subject.
var passiveAux = wordSet("is was were are be been being")

// determiners mark the word after them as a noun ("the claims", "a
// warning"), never a verb. Read-only.
var determiners = wordSet("a an the this that these those his her its their our your my no any some every each such another whose")

// clauseWords end a subject noun phrase read backwards from its verb: the
// subject begins after the last of them ("…, which the minister said").
var clauseWords = wordSet("that which who whom whose while whereas because since although though if when where after before until unless so as than once whether what")

// coordinators join a verb to an earlier one that has the subject ("claimed
// … and pledged").
var coordinators = wordSet("and but or nor yet")

// participleLeads may stand right before an -ing reporting verb that hangs
// from a clause ("…, stating that", "as saying").
var participleLeads = wordSet("and but or while as after before by when without also even further then again thereby")

// cutWords end a speaker noun phrase: what follows is a modifier, not part
// of the name ("a source familiar with the talks", "Abdul Basit at the S.
// Rajaratnam School", "officials in Kabul"). "of", "for" and "to" are kept
// ("a spokesperson for the UN", "adviser to the prime minister").
var cutWords = wordSet("who whom whose which that familiar close privy aware knowledgeable speaking requesting citing according at in on from with during after before while based briefed involved attending writing told said says added stated")

// prepositions start introductory phrases, not subjects.
var prepositions = wordSet("in on at after before following during amid despite since by from for with without over under about against among between through throughout within upon into onto toward towards like of to as")

// introWords begin an introductory phrase that ends at the first comma
// ("Speaking to Arab News, …", "However, …").
var introWords = wordSet(
	"in on at after before following during amid amidst despite since by from for with without over under about against among between through throughout within upon toward towards like as",
	"speaking referring responding asked addressing writing talking commenting reacting noting citing quoting according",
	"however meanwhile moreover separately earlier later also still yet instead indeed nevertheless nonetheless furthermore besides then now today yesterday last this while when if although though because once",
)

// timeLeads open a time phrase when a time noun follows ("this week",
// "last month", "earlier this year"); timeAdverbs are time adverbs on
// their own. adverbialParticiples open an introductory phrase ("Speaking
// to reporters"). All three may stand before a subject without a comma.
var (
	timeLeads            = wordSet("this last next earlier later early late")
	timeAdverbs          = wordSet("earlier later today yesterday tonight meanwhile now then previously recently separately")
	adverbialParticiples = wordSet("speaking responding addressing writing talking commenting reacting")
)

// timeNouns end a time phrase ("on Monday", "this week").
var timeNouns = wordSet(
	"monday tuesday wednesday thursday friday saturday sunday today yesterday tonight",
	"morning afternoon evening night day days week weekend weeks month months year years decade",
	"january february march april may june july august september october november december jan feb mar apr jun jul aug sep sept oct nov dec",
)

// pronouns that may stand for a speaker, with their number.
var singularPronouns = wordSet("he she")
var pluralPronouns = wordSet("they")

// titleHeads are titles that stand before a personal name; the name begins
// after the last of them ("Pakistan Defence Minister Khawaja Asif", "Maj.
// Gen. (r) Inam-ul-Haq"). Lower case, without the abbreviation's period.
var titleHeads = wordSet(
	"pm minister president premier chancellor secretary secretary-general director-general inspector-general attorney-general spokesman spokeswoman spokesperson governor mayor senator sen rep representative congressman congresswoman ambassador envoy commissioner chairman chairwoman chairperson chair director chief commander general gen lt lieutenant col colonel maj major capt captain sgt sergeant adm admiral brig brigadier marshal",
	"mr mrs ms miss dr prof professor sir dame lord lady king queen prince princess sheikh shaikh emir pope cardinal bishop rabbi imam maulana mufti justice judge attorney prosecutor deputy vice acting interim former caretaker speaker leader founder co-founder head adviser advisor aide r retd",
)

// portfolioWords may follow "of" inside a title ("Secretary of State",
// "Minister of Foreign Affairs") before the personal name starts.
var portfolioWords = wordSet("of the and state foreign affairs defence defense interior information finance commerce trade planning health education justice law energy home external internal religious culture science technology communications railways water power petroleum police army navy air staff naval prisons customs intelligence")

// roleNouns are common nouns for people who speak in the news. A noun phrase
// headed by one of them is a person ("a Pakistani security official").
var roleNouns = wordSet(
	"official officials spokesman spokeswoman spokesperson spokespeople spokespersons minister ministers analyst analysts commentator commentators expert experts diplomat diplomats source sources leader leaders commander commanders officer officers president secretary envoy ambassador adviser advisor advisers advisors aide aides lawmaker lawmakers legislator legislators senator senators governor mayor chief general director chairman chairwoman head member members founder co-founder researcher researchers professor scholar journalist journalists reporter editor witness witnesses resident residents shopkeeper shopkeepers farmer student lawyer lawyers judge activist activists negotiator negotiators mediator mediators observer observers insider insiders militant militants fighter fighters soldier soldiers doctor doctors survivor survivors relative relatives father mother son daughter brother sister wife husband man woman men women villager villagers worker workers driver teacher prosecutor prosecutors investigator investigators inspector economist economists strategist candidate voter protester protesters resident trader traders businessman businessmen politician politicians cleric clerics elder elders person people representative representatives delegate delegates premier chancellor",
	"surgeon surgeons nurse nurses physician engineer engineers pilot pilots coach captain player players scientist scientists historian author writer poet artist singer actor actress manager managers executive executives owner owners employee employees banker bankers investor investors vendor vendors fisherman fishermen labourer labourers laborer laborers counsel petitioner petitioners plaintiff defendant suspect victim victims parent parents child children principal priest monk mullah lawmaker mp mps minister secretary-general commissioner magistrate administrator superintendent constable policeman policemen guard guards ranger rangers pilgrim pilgrims refugee refugees migrant migrants official's organiser organizer organisers organizers volunteer volunteers campaigner campaigners academic academics specialist specialists consultant consultants chairperson chief spokespeople ceo founder president governor mayor premier",
)

// orgNouns head noun phrases for bodies that speak: "it said" can stand for
// them. Read-only.
var orgNouns = wordSet("ministry government military army group broadcaster outlet agency council office embassy police department committee court party channel newspaper network media website administration authority authorities organisation organization company commission statement movement regime")

// outletNouns are interchangeable heads for news organisations, so that "the
// state outlet" can take up "Afghan state broadcaster Radio Television of
// Afghanistan".
var outletNouns = wordSet("broadcaster outlet channel network station agency newspaper daily paper television radio media website tv")

// spokesNouns are interchangeable heads for spokespeople.
var spokesNouns = wordSet("spokesman spokeswoman spokesperson")

// orgNameWords mark a capitalized name as an organisation or a place rather
// than a person, so that "he" does not resolve to it.
var orgNameWords = wordSet(
	"nations states kingdom republic union emirates emirate arabia council ministry office secretariat palace army forces force police party front movement agency news times post tribune herald television radio broadcasting corporation bank fund organisation organization committee commission court assembly parliament government department administration house center centre institute university school college foundation association group company inc ltd taliban province district city diary journal daily review press network channel media service services command bureau authority board",
	"reuters afp ap bbc cnn pakistan afghanistan india china iran qatar turkey türkiye russia america europe kabul islamabad delhi tehran moscow washington beijing doha istanbul",
)

// nameConnectors may join the words of a proper name ("Radio Television of
// Afghanistan", "Osama bin Laden").
var nameConnectors = wordSet("of bin ibn al el de da del della di van von der den ul ud ur e la le du dos das y")

// abbreviations end with a period that does not end a sentence.
var abbreviations = wordSet("mr mrs ms dr prof gen lt col maj capt sgt adm brig gov sen rep st jr sr no vs jan feb mar apr jun jul aug sep sept oct nov dec inc ltd co corp mt ft rev hon messrs")

// elisions are words that begin with an apostrophe rather than an opening
// single quote ("’n’", "’em", "’til", "’tis").
var elisions = wordSet("n em til tis twas cause bout round cos")

// fold lower-cases w and folds the typographic apostrophe to ASCII, the form
// the tables use.
func fold(w string) string {
	return strings.ReplaceAll(strings.ToLower(w), "’", "'")
}

// canonWord folds spelling variants that descriptors are compared by.
func canonWord(w string) string {
	w = strings.TrimSuffix(strings.TrimSuffix(fold(w), "'s"), ".")
	switch w {
	case "defence":
		return "defense"
	case "organisation":
		return "organization"
	}
	return w
}
