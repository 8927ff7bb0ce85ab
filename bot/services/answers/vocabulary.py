"""The parser's vocabulary: words that carry no account name, and typo correction.

What is left of a question after these words are removed is read as an account
name, so every rule's keywords belong here; misspelt keywords and chat shorthand
are read as the keyword meant, never inside an account's name.
"""

from __future__ import annotations

from difflib import get_close_matches
from functools import lru_cache

from bot.services.accounts.names import word_set

# Words that carry no account name: question words, fillers and every rule's keywords.
FUNCTION_WORDS = word_set(
    """a an the of for at about with on in to from by and or is are was were be been being am
    do does did doing done has have had having how what whats which who whom whose when where
    why will would should could can may might must shall it its this that these those there
    here i im me my mine we our us you your they their them he she his her please pls thanks
    thank tell show give list get got find see check look lookup let know want need any some
    much many most more less over under up down out into than then so just also still yet now
    currently current latest recent recently last next going go goes happening happen like
    new s t d ok okay hey hi hello quick quickly right re vs versus between since ago did
    whats hows wheres whos results result numbers figures data stats statistics metrics report
    reports look like average avg mean median before after until till through during"""
)
INTENT_WORDS = word_set(
    """account accounts customer customers client clients company companies overview summary
    summarize summarise summarised rundown update brief briefing info information details
    status health healthy unhealthy score scores band bands renew renews renewing renewal
    renewals contract contracts end ends ending date dates expire expires expiring expiry usage
    using use used uses login logins log logging active users user adoption engagement engaged
    seats seat utilization utilisation activity sessions session tickets ticket support issues
    issue cases case escalations escalation escalated open opened complaints complaint bugs
    incidents nps survey surveys promoter promoters detractor detractors csat satisfaction
    happy arr mrr revenue worth value acv spend spending pay pays paying money dollars risk
    risky red yellow green trouble danger churn churning struggling changed change changes
    changing drop dropped dropping fell fall falling decline declined declining worse better
    improve improved improving moved move movers mover flipped flip turned turn went why
    explain breakdown driving drivers driver behind trend trends history doing performing
    looking tracking contacts contact champion champions stakeholders stakeholder decision
    maker makers sponsor sponsors exec executive people poc talk speak reach email call
    should steps step actions action moves best playbook playbooks cta ctas todo todos
    recommend recommendation recommendations handle deal fix save approach respond address
    complain complains complained complaining unhappy frustrated frustrating frustration
    frustrations upset annoyed angry dissatisfied pain points point gripe gripes theme themes
    topic topics top biggest common recurring frequent problem problems requests mostly mainly
    lately
    team teams reports csms all everyone everybody whole entire org organization organisation
    across overall global every total totals portfolio book size product platform app tool
    week weeks month months quarter quarters year years day days today tomorrow upcoming
    coming soon due within ahead number count many help commands
    whoami role name login access see work focus plate priorities priority prioritize
    prioritise agenda tasks task urgent attention tackle start first morning daily
    draft write compose prepare prep create mail message letter outreach followup follow
    template qbr qbrs ebr business review reviews deck notes talking prior previous
    contacted touch touched touches touchpoint touchpoints interaction interactions
    conversation conversations meeting meetings calls called spoke spoken talked met heard
    reached engaged visit since long haven havent hasn hasnt not no without zero lack quiet
    dark silent neglected untouched gone nobody anyone someone didn didnt
    escalations invoice invoices invoiced overdue late outstanding payment payments bills
    bill balance balances amounts failed failing missed declined bounced charges cards
    billing unpaid owes owe owing paid past ar aging receivable receivables
    compare compared comparing comparison side difference stack against
    csm rep reps person member owner owners leaderboard ranking split per each
    churned left cancelled canceled cancellations cancellation lost lose leave logos deals
    reason reasons
    drops decrease decreases falls losers slide slides dip dips largest worst sharpest
    steepest big major significant slipped fallen worsened deteriorated deteriorating
    getting
    expansion expand expanding upsell upsells upselling cross sell selling growth grow
    opportunity opportunities potential candidates candidate ready likely poised buy
    upgrade white whitespace upside could might
    bottom smallest healthiest unhealthiest riskiest sickest highest lowest best least
    low high rank ranked ranking sort sorted order ordered used utilized utilised
    january february march april june july august september october november december
    one two three four five six seven eight nine ten twelve twenty fifteen fifty hundred
    ytd so far year to date needs need attention declines items tcv"""
)
STOPWORDS = FUNCTION_WORDS | INTENT_WORDS

_VOCABULARY = sorted(INTENT_WORDS | {"invoices", "invoice", "contact", "churned", "biggest"})
_TYPO_CUTOFF = 0.85
_SHORTHAND = {
    "hw": "how",
    "wat": "what",
    "wot": "what",
    "whats": "what s",
    "hows": "how s",
    "u": "you",
    "ur": "your",
    "plz": "please",
    "pls": "please",
    "accts": "accounts",
    "acct": "account",
}


@lru_cache(maxsize=4096)
def corrected(word: str) -> str:
    """A misspelt keyword ("renwal", "tikets", "invocies") read as the keyword it nearly is.

    Only words that are not already known and are long enough to misspell (5+ letters)
    are corrected, and only outside the account's name, so a name is never rewritten.
    """
    if word in _SHORTHAND:
        return _SHORTHAND[word]
    if word in STOPWORDS or len(word) < 5 or not word.isalpha():
        return word
    close = get_close_matches(word, _VOCABULARY, n=1, cutoff=_TYPO_CUTOFF)
    return close[0] if close else word
