# A small lexicon for the model's unit tests: a few entries for each label
# and every rule section, so that tests exercise the rules without depending
# on the bundled lexicon's contents.
@name test-lexicon
@version 0.0.1

[entries]
accus*	accusation=2
blame	accusation=1.5
responsible for	accusation=2
baseless	denial=2.5
categorically reject	denial=3
reject	denial=1.5
nothing to do with	denial=2.5
will respond	threat=2
retaliate	threat=2
heavy price	threat=2.5
strike	threat=1 accusation=0.5
attack	threat=0.7 accusation=0.7
used against	threat=1.5
talks	conciliation=1
dialogue	conciliation=1.5
welcome	conciliation=2
ceasefire	conciliation=1.5
killed	neutral=1
on tuesday	neutral=1
don't	neutral=0.1
naïve	neutral=0.5

[negators]
not
never
no
don't
won't

[hedges]
may
might

[intensifiers]
very
categorically

[conditionals]
if
unless

[first_person]
we
our

[second_person]
you

[third_person]
they
their

[future]
will
shall

[past]
was
did

[clause_breaks]
but
however
