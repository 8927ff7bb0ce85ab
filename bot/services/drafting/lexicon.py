"""Capitalised words that are not names: the grounding check's list of ordinary words.

A draft capitalises ordinary words at the start of sentences, in title-case subjects
("Renewal Planning For Next Year") and in set phrases ("Customer Success"). Only
capitalised words outside this list, and outside the facts pack, are read as names
that must be grounded. The list is deliberately plain English business vocabulary; a
person or company name is never in it.
"""

from __future__ import annotations

# A word block reads (and diffs) better than a 400-item list literal.
_WORDS = """
    a about above account accounts action actions active add added adding additional
    adoption after again against agenda ahead all also am an analysis and annual another
    answer any anything appreciate are area areas as ask asking at attached attention
    available back based be because been before being below best better between both
    brief budget business but by call calls can cancel care case cases change changes
    channel check check-in checking checkin close closely collaboration come coming
    concern concerns confirm connect contact continue contract conversation could
    critical current currently customer customers data date day days dear decision
    detail details did discuss discussion do does done down draft drivers due during
    each early effective email end engagement ensure escalation even every everyone
    executive expand expansion experience feedback few find first focus follow
    follow-up following for forward free friday from full further get getting give
    glad goal goals good great had happy has have having health hello help here hi
    high highlights hope how however i i'd i'll i'm i've if immediate immediately
    impact important improve in increase information insight insights into is issue
    issues it it's its just keep key kind know last latest let let's like likely look
    looking low made make manager many may me meet meeting meetings metrics might
    monday month monthly months more most much must my need needs new next no not note
    noted now nps of on once one only open opportunities opportunity or other our out
    outcomes over overall overview own partner partnership people per perform
    performance plan planning plans please plus point points positive possible
    priorities priority proactive product progress proposal proposed provide qbr
    quarter quarterly question questions quick reach reaching ready really reason
    recap recent recently recommend recommendations recommended reduce regarding
    regards related relationship renew renewal renewals reply report request
    requests resolve resolution resolved response results review reviewing right risk
    risks roadmap saturday schedule scheduling score second see seem seems seen send
    sent service services session set share should since sincerely situation so soon
    sorry specific standing start status step steps still strong subject success
    successful suggest summary sunday support sure take talk team teams than thank
    thanks that the their them then there these they thing things think this those
    though thursday time timeline timely to today together tomorrow too top track
    trend trends tuesday turn understand unfortunately until up update updates urgent
    us usage use used users value very via view want warm warmly was we wednesday week
    weekly weeks welcome well were what when where whether which while who why will
    wish with within without work working would write year years yes yet you your
    yours
    january february march april may june july august september october november
    december jan feb mar apr jun jul aug sep sept oct nov dec
    mon tue tues wed thu thur thurs fri sat sun
    re fw fwd ps cc bcc
    admin administrator analyst assistant associate ceo cfo chief coo cto cio cs csm
    director engineer engineering finance founder head lead marketing officer
    operations ops president procurement sales specialist vp vice
    """
COMMON_CAPITALISED_WORDS: frozenset[str] = frozenset(_WORDS.split())
