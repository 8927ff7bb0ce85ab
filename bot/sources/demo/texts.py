# ruff: noqa: E501 - phrase banks: whole sentences read better unbroken
"""Phrase banks that compose the demo's free text: tickets, NPS comments, CS notes.

Text is assembled from parts (greeting, problem, detail, impact, ask, sign-off),
each drawn from a bank and filled from slot banks (features, integrations, error
codes, competitors…), so thousands of tickets read like different people wrote
them. Sentiment follows the account's state: ``tone`` 0 is calm, 1 frustrated,
2 angry with churn language — the sentiment and theme models downstream must
have something real to find, and the churn signals must show in the words too.
"""

from __future__ import annotations

import random

from bot.sources.demo.ticket_texts import TICKET_DETAILS, TICKET_ISSUES

# --------------------------------------------------------------------------- slot banks
SLOTS: dict[str, tuple[str, ...]] = {
    "feature": (
        "the dashboard",
        "the report builder",
        "workflow automation",
        "the alerts page",
        "the audit log",
        "the scheduled export",
        "the forecasting module",
        "the approval workflow",
        "the custom fields editor",
        "global search",
        "the notification center",
        "the analytics view",
        "the permissions page",
        "the template library",
        "calendar sync",
        "the admin console",
        "bulk edit",
        "the saved filters panel",
        "the mobile app",
        "data import",
        "the activity timeline",
        "the usage insights page",
        "goal tracking",
        "the task board",
        "the SLA policy editor",
    ),
    "integration": (
        "Salesforce",
        "HubSpot",
        "Slack",
        "Jira",
        "Zendesk",
        "NetSuite",
        "Snowflake",
        "BigQuery",
        "Microsoft Teams",
        "Google Sheets",
        "Marketo",
        "Intercom",
        "Shopify",
        "QuickBooks",
        "Xero",
        "Workday",
        "ServiceNow",
        "Okta SCIM",
        "Segment",
        "Stripe",
    ),
    "idp": ("Okta", "Azure AD", "OneLogin", "Google Workspace", "Ping Identity", "JumpCloud"),
    "browser": ("Chrome", "Firefox", "Safari", "Edge", "the desktop app"),
    "error_code": (
        "HTTP 500",
        "HTTP 502",
        "HTTP 503",
        "HTTP 429",
        "HTTP 401",
        "HTTP 403",
        "ERR_SYNC_TIMEOUT",
        "E-1042",
        "E-2210",
        "ERR_EXPORT_FAILED",
        "SAML_RESPONSE_INVALID",
        "TOKEN_EXPIRED",
        "QUOTA_EXCEEDED",
        "a blank white screen",
        '"Something went wrong"',
    ),
    "competitor": (
        "Tallyworks",
        "Pulsegrid",
        "Clearpath",
        "Retainly",
        "Heliotrope",
        "VantageOne",
        "Brightlane",
        "Stackwell",
    ),
    "team": (
        "our finance team",
        "the sales ops team",
        "our support agents",
        "the marketing team",
        "our regional managers",
        "the analytics team",
        "our account executives",
        "the operations team",
        "our executives",
        "the customer success team",
        "our IT admins",
        "the onboarding team",
        "our field reps",
    ),
    "timeframe": (
        "since Monday",
        "since yesterday afternoon",
        "for the past two days",
        "since the last release",
        "since this morning",
        "for about a week",
        "intermittently for the last few weeks",
        "since the weekend",
        "since we upgraded",
        "after last night's maintenance window",
    ),
    "timeframe_plain": (
        "Monday",
        "yesterday",
        "the last release",
        "last week",
        "the weekend",
        "our upgrade",
        "the maintenance window",
    ),
    "file_format": ("CSV", "XLSX", "PDF", "JSON"),
    "report": (
        "pipeline report",
        "weekly usage report",
        "monthly revenue summary",
        "board pack",
        "SLA compliance report",
        "team activity report",
        "renewal forecast",
        "quarterly KPI dashboard",
        "regional performance report",
        "executive summary",
    ),
    "n": ("2", "3", "4", "5", "6", "8", "10", "12", "15", "20", "25", "40"),
    "big_n": ("500", "2,000", "5,000", "10,000", "25,000", "50,000", "120,000", "300,000"),
    "deadline": (
        "month-end close",
        "our board meeting on Thursday",
        "the end of the quarter",
        "Friday's leadership review",
        "our audit next week",
        "the holiday rush",
        "our product launch",
        "Monday",
        "the regional kickoff",
    ),
    "agent": ("Sam", "Priya", "Alex", "Jordan", "Chris", "Taylor", "Morgan", "Jamie", "Robin"),
    "period": ("week", "month", "quarter"),
    "seconds": ("30", "45", "60", "90", "120"),
    "role": ("admin", "manager", "viewer", "editor", "billing admin", "team lead"),
    "region": ("EU", "US-East", "APAC", "UK", "Canada"),
    "topic": (
        "adoption across teams",
        "the rollout to the new region",
        "renewal timing",
        "their reporting needs",
        "the upcoming release",
        "admin training",
        "the integration roadmap",
        "user onboarding",
        "success metrics for this year",
        "support experience",
        "the data migration",
        "license usage",
        "their executive goals",
    ),
    "next_step": (
        "schedule an admin training session",
        "share the new release notes",
        "set up a workshop with the analytics team",
        "send a proposal for additional seats",
        "review usage again in 30 days",
        "connect them with product about the roadmap",
        "prepare the renewal quote",
        "share best-practice templates",
        "introduce them to our solutions engineer",
        "invite them to the customer advisory board",
        "follow up on the open support tickets",
        "draft a success plan for next quarter",
    ),
    "risk_step": (
        "set up an executive sponsor call",
        "build a recovery plan with support leadership",
        "offer a free health-check workshop",
        "escalate the open bugs to engineering",
        "re-engage the decision maker before renewal",
        "propose a re-onboarding program",
        "bring in the account executive to discuss commercial options",
        "find and meet a new champion",
        "share a roadmap briefing for the missing features",
        "review their contract and discount options",
    ),
    "concern": (
        "slow performance on large reports",
        "repeated sync failures with their CRM",
        "low adoption outside the core team",
        "the price increase at renewal",
        "unanswered support tickets",
        "missing features compared to other tools",
        "budget cuts for next year",
        "a reorganisation on their side",
        "data quality in the dashboards",
        "how long onboarding is taking",
    ),
    "win": (
        "they cut report preparation time in half",
        "adoption is up across every team",
        "the automation rollout saved their ops team hours each week",
        "their executives now use the dashboards in weekly reviews",
        "they consolidated two legacy tools onto our platform",
        "support response times improved since the new SLA policies",
        "the new region went live ahead of schedule",
    ),
}

# --------------------------------------------------------------------------- ticket banks
CATEGORIES: tuple[str, ...] = (
    "bug",
    "performance",
    "billing",
    "integration",
    "sso-login",
    "data-export",
    "onboarding",
    "how-to",
    "feature-request",
    "user-management",
    "api",
    "reporting",
    "security-compliance",
    "cancellation",
    "competitor",
    "praise",
)

# category → (weight when the account is fine, weight when it is in trouble, base priority 0..3)
CATEGORY_WEIGHTS: dict[str, tuple[float, float, float]] = {
    "bug": (0.15, 0.13, 1.0),
    "performance": (0.07, 0.13, 1.2),
    "billing": (0.07, 0.11, 0.7),
    "integration": (0.10, 0.09, 1.0),
    "sso-login": (0.06, 0.05, 1.3),
    "data-export": (0.06, 0.06, 0.7),
    "onboarding": (0.06, 0.02, 0.5),
    "how-to": (0.13, 0.03, 0.2),
    "feature-request": (0.10, 0.05, 0.0),
    "user-management": (0.06, 0.03, 0.5),
    "api": (0.05, 0.03, 0.9),
    "reporting": (0.05, 0.05, 0.7),
    "security-compliance": (0.03, 0.02, 0.9),
    "cancellation": (0.002, 0.13, 1.1),
    "competitor": (0.002, 0.10, 0.9),
    "praise": (0.05, 0.0, 0.0),
}

_GREETINGS = (
    "Hi team,",
    "Hello,",
    "Hi there,",
    "Hi support,",
    "Good morning,",
    "Hey folks,",
    "Hello support team,",
    "Hi {agent},",
    "",
    "",
    "",
)
_SIGNOFFS = ("Thanks,", "Thanks in advance!", "Cheers,", "Regards,", "Best,", "Thank you,", "")

# Each kind of ticket closes differently: something broken wants a fix, a request
# wants an answer, a cancellation wants next steps. kind → (impact by tone, asks).
_BROKEN_IMPACT = (
    (
        "Not urgent, but it would be good to get it sorted.",
        "It's a minor inconvenience for now.",
        "A couple of users have noticed it.",
        "We have a workaround for the moment.",
        "",
        "",
        "",
    ),
    (
        "This is blocking {team} from doing their work.",
        "It's the second time this {period} we've run into this.",
        "We reported something similar a few weeks ago and it came back.",
        "Our users are getting frustrated.",
        "We need this working before {deadline}.",
        "This is really slowing us down.",
        "We've been waiting on a fix for a while now.",
    ),
    (
        "Honestly, people here are starting to ask whether the tool is worth what we pay.",
        "Leadership is questioning our renewal because of issues like this.",
        "We can't keep working around this; if it isn't fixed soon we'll have to look at other options.",
        "This is the third escalation this {period} and we're running out of patience.",
        "We're already looking at {competitor} because of problems like this one.",
        "If this isn't resolved before our renewal, we will not be renewing.",
        "Frankly this is unacceptable for a tool we depend on every day.",
    ),
)
_BROKEN_ASKS = (
    "Can you take a look?",
    "Could someone help us figure out what's going on?",
    "Let us know if you need logs or screenshots.",
    "Any idea when this will be fixed?",
    "What's the recommended workaround in the meantime?",
    "Could you escalate this to engineering?",
    "Thanks for looking into it.",
    "Please get back to us as soon as you can.",
    "",
)
_REQUEST_IMPACT = (
    ("No rush on this one.", "Whenever you get a chance.", "", "", ""),
    (
        "We need this sorted before {deadline}.",
        "This is holding up our rollout to {team}.",
        "We asked about this before and haven't heard back.",
        "It's becoming a bit of a blocker.",
        "This keeps coming up with {team}.",
    ),
    (
        "We've asked about this several times now and it's getting frustrating.",
        "Honestly, gaps like this make it hard to justify the renewal.",
        "We've now spent weeks going back and forth on this.",
    ),
)
_REQUEST_ASKS = (
    "Please advise.",
    "Who is the right person to talk to?",
    "Happy to jump on a call if that's easier.",
    "Thanks for your help.",
    "Could you point us in the right direction?",
    "A quick reply would be appreciated.",
    "",
)
_BILLING_IMPACT = (
    (
        "",
        "",
        "Our finance team asked us to check.",
        "No rush, but finance would like it fixed this month.",
    ),
    (
        "Finance keeps chasing us about this.",
        "This is the second billing problem this {period}.",
        "We can't pay until this is corrected.",
        "We raised this last month and it's still wrong.",
    ),
    (
        "Billing mistakes like this are eroding our trust in you as a vendor.",
        "Our CFO is now involved and is asking whether we should renew at all.",
        "We're seriously reconsidering the contract because of how this has been handled.",
    ),
)
_BILLING_ASKS = (
    "Please send a corrected invoice.",
    "Please confirm once this is fixed.",
    "Please advise.",
    "Who in your finance team can help?",
    "",
)
_EXIT_IMPACT = (
    ("",),
    (
        "We'd appreciate a call with our account manager this week.",
        "If there's a compelling offer we might reconsider.",
        "Nothing is final yet.",
        "We'd prefer to stay if the issues can be addressed.",
    ),
    (
        "The decision is essentially made.",
        "Please don't try to change our minds, we're done.",
        "We've given this plenty of chances.",
        "The last few months have been too painful.",
    ),
)
_EXIT_ASKS = (
    "Please confirm next steps.",
    "Who should we talk to about this?",
    "Please have our account manager reach out.",
    "Please confirm in writing.",
    "",
)
_CLOSINGS: dict[str, tuple[tuple[tuple[str, ...], ...], tuple[str, ...]]] = {
    "broken": (_BROKEN_IMPACT, _BROKEN_ASKS),
    "request": (_REQUEST_IMPACT, _REQUEST_ASKS),
    "billing": (_BILLING_IMPACT, _BILLING_ASKS),
    "exit": (_EXIT_IMPACT, _EXIT_ASKS),
}
_KIND_OF_CATEGORY = {
    "bug": "broken",
    "performance": "broken",
    "integration": "broken",
    "sso-login": "broken",
    "api": "broken",
    "data-export": "broken",
    "reporting": "broken",
    "billing": "billing",
    "cancellation": "exit",
    "competitor": "exit",
    "how-to": "request",
    "feature-request": "request",
    "onboarding": "request",
    "user-management": "request",
    "security-compliance": "request",
}
_SUBJECT_TONE_PREFIX: tuple[tuple[str, ...], ...] = (
    ("",),
    ("", "", "", "Re: ", "Follow-up: ", "Urgent: "),
    ("", "URGENT: ", "Escalation: ", "Re: ", "Unacceptable: "),
)
# requests and questions are rarely written in anger, praise never
TONE_CAP: dict[str, int] = {
    "how-to": 1,
    "feature-request": 1,
    "onboarding": 1,
    "security-compliance": 1,
    "user-management": 1,
    "praise": 0,
}

# --------------------------------------------------------------------------- NPS banks
_NPS_PROMOTER = (
    "Great product, {feature} has become central to how {team} works.",
    "Support is fast and genuinely helpful.",
    "Our CSM is fantastic and always proactive.",
    "Easy to use and the team keeps shipping useful improvements.",
    "It saves us hours every week.",
    "The {integration} integration just works.",
    "Best tool we've adopted in years.",
    "Reliable, intuitive and well supported.",
    "Rollout was smooth and adoption has been great.",
    "The dashboards give our execs exactly what they need.",
    "Love the recent updates to {feature}.",
    "Would recommend it to any team like ours.",
)
_NPS_PASSIVE = (
    "Solid tool overall, but {gripe}.",
    "Does the job; {gripe}.",
    "Good product. {gripe_cap}.",
    "We get value from it, although {gripe}.",
    "Mostly happy, but {gripe}.",
    "Fine for our needs, nothing spectacular.",
    "Works well for the core team, {gripe}.",
)
_NPS_GRIPES = (
    "the reporting could be more flexible",
    "performance slows down with large datasets",
    "pricing feels high for what we use",
    "some features are hard to find",
    "the {integration} sync occasionally breaks",
    "support can be slow to respond",
    "the mobile app needs work",
    "onboarding new users takes too long",
    "we'd like more control over permissions",
    "{feature} still feels clunky",
)
_NPS_DETRACTOR = (
    "Too many bugs in recent releases.",
    "Support takes days to respond and issues get closed without a fix.",
    "The {integration} integration keeps breaking and nobody seems to own it.",
    "We pay for far more seats than people actually use; adoption never took off.",
    "Performance has been terrible for months.",
    "Way too expensive for what it does.",
    "{feature_cap} is unreliable and our team has lost trust in the data.",
    "Hard to use, our people went back to spreadsheets.",
    "Nothing we asked for in the last year has shipped.",
    "Constant outages and slow pages.",
    "We feel like nobody listens to our feedback.",
)
_NPS_CONSEQUENCE = (
    "We are reconsidering our renewal.",
    "Not sure we'll renew.",
    "We're evaluating {competitor}.",
    "Leadership is asking for alternatives.",
    "",
    "",
    "",
)

# --------------------------------------------------------------------------- interaction banks
_INTERACTIONS: dict[str, dict[str, tuple[str, ...]]] = {
    "meeting": {
        "good": (
            "Met with {contact} to review {topic}. They're happy with {feature}; agreed to {next_step}.",
            "Working session with {contact} on {topic}. Good energy; {win}. Next: {next_step}.",
            "Met {contact} and two team leads. {win_cap}. We'll {next_step}.",
        ),
        "neutral": (
            "Met with {contact} about {topic}. Mixed feedback on {feature}; we'll {next_step}.",
            "Check-in meeting with {contact}: usage is steady, a few open questions on {feature}. Plan to {next_step}.",
            "Reviewed {topic} with {contact}. No major issues raised; agreed to {next_step}.",
        ),
        "bad": (
            "Tense meeting with {contact}: frustration about {concern}. Agreed to {risk_step}.",
            "Met {contact} to discuss {concern}. They were clear that things must improve before renewal; we will {risk_step}.",
            "Meeting with {contact} went poorly: {concern} is hurting adoption. Action: {risk_step}.",
        ),
    },
    "call": {
        "good": (
            "Quick call with {contact}: all good, {win}. Will {next_step}.",
            "Call with {contact} on {topic}. Positive; they asked us to {next_step}.",
        ),
        "neutral": (
            "Call with {contact} about {topic}. A couple of small issues with {feature}; follow-up to {next_step}.",
            "Phone check-in with {contact}. Nothing urgent; we'll {next_step}.",
        ),
        "bad": (
            "Call with {contact}: they raised concerns about {concern}. Next step: {risk_step}.",
            "Escalation call with {contact} regarding {concern}. Customer unhappy; we'll {risk_step}.",
            "{contact} called about {concern} and mentioned they are looking at {competitor}. We'll {risk_step}.",
        ),
    },
    "email": {
        "good": (
            "Sent {contact} the release notes for {feature} and a recap of {topic}.",
            "Emailed {contact} to congratulate the team: {win}.",
            "Sent {contact} an invite to the customer webinar on {feature}; they plan to bring {team}.",
            "Emailed {contact} a summary of wins: {win}.",
            "Shared best-practice templates for {feature} with {contact}.",
        ),
        "neutral": (
            "Followed up with {contact} on {topic}; waiting on their feedback about {feature}.",
            "Emailed {contact} to schedule a check-in on {topic}.",
            "Sent {contact} the training recording for {feature} and the admin guide.",
            "Sent {contact} the agenda for the upcoming review of {topic}.",
            "Replied to {contact}'s question about {feature}; pointed them to the help center.",
            "Shared the {report} template with {contact} and offered to walk {team} through it.",
        ),
        "bad": (
            "Followed up with {contact} on {concern}; no reply yet to the last two emails.",
            "Emailed {contact} an action plan for {concern}.",
            "Sent {contact} a summary of open tickets and the plan to {risk_step}.",
        ),
    },
    "note": {
        "good": (
            "Internal note: account healthy, {win}. Candidate for a case study.",
            "Internal note: adoption spreading beyond the core team; {win}. Possible expansion.",
        ),
        "neutral": (
            "Internal note: usage flat this {period}; keep an eye on {topic}.",
            "Internal note: {contact} is the day-to-day contact; decision maker rarely engaged.",
        ),
        "bad": (
            "Internal note: risk rising — {concern}. Plan: {risk_step}.",
            "Internal note: usage dropping and tickets piling up. Need to {risk_step}.",
            "Internal note: heard they are evaluating {competitor}. Must {risk_step}.",
        ),
    },
    "qbr": {
        "good": (
            "QBR with {contact}: reviewed adoption and outcomes; {win}. Priorities for next quarter: {topic} and {next_step}.",
            "QBR: executives engaged, {win}. Discussed expansion to more teams.",
        ),
        "neutral": (
            "QBR with {contact}: adoption steady, some gaps around {feature}. Agreed to {next_step}.",
            "QBR: reviewed {topic}; goals partly met. Follow-up to {next_step}.",
        ),
        "bad": (
            "QBR with {contact}: goals not met, {concern} dominated the discussion. Agreed to {risk_step}.",
            "Difficult QBR: sponsor questioned the value delivered; {concern}. We'll {risk_step}.",
        ),
    },
}

CHURN_REASONS: tuple[tuple[str, float], ...] = (
    ("Switched to a competitor ({competitor})", 0.22),
    ("Budget cuts", 0.16),
    ("Poor adoption: never rolled out beyond the pilot team", 0.14),
    ("Missing features ({feature})", 0.1),
    ("Product quality and reliability issues", 0.1),
    ("Champion left the company", 0.08),
    ("Too expensive for the value delivered", 0.08),
    ("Unhappy with support experience", 0.05),
    ("Acquired by another company", 0.04),
    ("Consolidating vendors", 0.03),
)
QUIET_CHURN_REASONS: tuple[tuple[str, float], ...] = (
    ("Acquired by another company", 0.35),
    ("Consolidating vendors", 0.25),
    ("Budget cuts", 0.25),
    ("Business closed the division using the product", 0.15),
)


# A planned touch the customer skipped (see ``bot.sources.demo.engagement``): what a CSM logs.
_NO_REPLY: dict[str, tuple[str, ...]] = {
    "email": (
        "Internal note: {contact} has not replied to my email about {topic}; second follow-up sent.",
        "Internal note: no answer from {contact} on {topic} after {n} days. Plan: {risk_step}.",
        "Internal note: emailed {contact} about {topic}; silence so far. Need to {risk_step}.",
    ),
    "call": (
        "Internal note: left {contact} a voicemail about {topic}; no call back.",
        "Internal note: {contact} missed our call on {topic}. Will {risk_step}.",
        "Internal note: tried {contact} twice by phone this {period}; no answer.",
    ),
    "meeting": (
        "Internal note: {contact} cancelled the meeting on {topic} at short notice, no new date.",
        "Internal note: {contact} did not join the session on {topic}; nobody else came.",
        "Internal note: meeting on {topic} declined by {contact}. We should {risk_step}.",
    ),
    "qbr": (
        "Internal note: the QBR was postponed by {contact} for the second time.",
        "Internal note: no executive would confirm a QBR date this {period}. Must {risk_step}.",
        "Internal note: QBR invitation to {contact} declined; {concern} still unaddressed.",
    ),
}


class _Slots(dict[str, str]):
    """Slot values drawn on first use, then reused so subject and body agree."""

    def __init__(self, rnd: random.Random, fixed: dict[str, str]) -> None:
        super().__init__(fixed)
        self._rnd = rnd

    def __missing__(self, key: str) -> str:
        if key.endswith("_cap"):
            value = self[key[:-4]]
            value = value[:1].upper() + value[1:]
        else:
            value = self._rnd.choice(SLOTS[key])
        self[key] = value
        return value


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


class TextComposer:
    """Composes every free-text field of the demo from one seeded ``random.Random``."""

    def __init__(self, rnd: random.Random) -> None:
        self._rnd = rnd

    def ticket(
        self, category: str, tone: int, *, contact_first: str, competitor: str
    ) -> tuple[str, str]:
        """(subject, description) of a ticket written in the given tone (0..2)."""
        rnd = self._rnd
        tone = min(tone, TONE_CAP.get(category, 2))
        subjects, problems = rnd.choice(TICKET_ISSUES[category])
        slots = _Slots(rnd, {"competitor": competitor})
        prefix = rnd.choice(_SUBJECT_TONE_PREFIX[tone])
        if tone and _KIND_OF_CATEGORY.get(category) == "broken" and rnd.random() < 0.15:
            prefix = "Still not fixed: "
        elif category == "how-to" and rnd.random() < 0.2:
            prefix = "Question: "
        parts = [rnd.choice(_GREETINGS), rnd.choice(problems)]
        if rnd.random() < 0.7:
            parts.append(rnd.choice(TICKET_DETAILS[category]))
        kind = _KIND_OF_CATEGORY.get(category)
        if kind is not None:
            impacts, asks = _CLOSINGS[kind]
            parts.append(rnd.choice(impacts[tone]))
            if tone == 2 and rnd.random() < 0.4:
                parts.append(rnd.choice(impacts[1]))
            parts.append(rnd.choice(asks))
        signoff = rnd.choice(_SIGNOFFS)
        if signoff and contact_first:
            parts.append(f"{signoff} {contact_first}")
        text = " ".join(part for part in parts if part).format_map(slots)
        subject = _cap(prefix + rnd.choice(subjects).format_map(slots))
        return subject, text

    def nps_comment(self, score: int, *, competitor: str) -> str:
        """A comment that reads like someone who gave this score; "" = left blank."""
        rnd = self._rnd
        if rnd.random() < 0.22:
            return ""
        slots = _Slots(rnd, {"competitor": competitor})
        if score >= 9:
            sentences = rnd.sample(_NPS_PROMOTER, rnd.choice((1, 1, 2)))
        elif score >= 7:
            sentences = [rnd.choice(_NPS_PASSIVE)]
            slots["gripe"] = rnd.choice(_NPS_GRIPES).format_map(slots)
        else:
            sentences = rnd.sample(_NPS_DETRACTOR, 2 if score <= 3 else rnd.choice((1, 2)))
            if score <= 4:
                sentences.append(rnd.choice(_NPS_CONSEQUENCE))
        return " ".join(s for s in sentences if s).format_map(slots)

    def interaction(
        self, kind: str, mood: str, *, contact: str, competitor: str, utilisation: int
    ) -> str:
        """A CSM's summary of a meeting, call, email, note or QBR (mood good|neutral|bad)."""
        rnd = self._rnd
        slots = _Slots(rnd, {"contact": contact, "competitor": competitor})
        text = rnd.choice(_INTERACTIONS[kind][mood]).format_map(slots)
        if kind == "qbr":
            text += f" Seat utilisation {utilisation}%."
        return text

    def no_reply(self, kind: str, *, contact: str) -> str:
        """The CSM's note when the customer did not show up for a planned touch."""
        slots = _Slots(self._rnd, {"contact": contact})
        return self._rnd.choice(_NO_REPLY[kind]).format_map(slots)

    def champion_left(self, *, champion: str, company: str) -> str:
        return self._rnd.choice(
            (
                f"Learned that our champion {champion} has left {company}. Need to find a new sponsor.",
                f"{champion}'s email bounced; LinkedIn says they left {company}. Champion gap.",
                f"Internal note: {champion} moved on from {company}; no replacement champion identified yet.",
            )
        )

    def non_renewal_notice(self, *, contact: str, reason: str) -> str:
        return self._rnd.choice(
            (
                f"Call with {contact}: they confirmed they will not renew. Reason given: {reason}.",
                f"Received written notice of non-renewal from {contact} ({reason}).",
                f"Meeting with {contact}: decision made to churn at term end — {reason}. Offered a final save call.",
            )
        )

    def churn_reason(self, *, quiet: bool, competitor: str) -> str:
        rnd = self._rnd
        bank = QUIET_CHURN_REASONS if quiet else CHURN_REASONS
        reasons = [text for text, _ in bank]
        weights = [weight for _, weight in bank]
        reason = rnd.choices(reasons, weights)[0]
        return reason.format_map(_Slots(rnd, {"competitor": competitor}))
