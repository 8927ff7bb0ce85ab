# ruff: noqa: E501 - phrase banks: whole sentences read better unbroken
"""The ticket phrase bank: per category, issues (subject variants + problem variants) and details.

An *issue* pairs subjects with problem statements about the same thing, so a
ticket's subject and body always agree ("SSO redirect loop" is never followed by
a question about invoices); slot values ({feature}, {integration}…) are shared
between the two. Details are category-wide colour that fits any issue.
"""

from __future__ import annotations

Issue = tuple[tuple[str, ...], tuple[str, ...]]

TICKET_ISSUES: dict[str, tuple[Issue, ...]] = {
    "bug": (
        (
            ("{feature_cap} shows {error_code}", "Error opening {feature}", "{feature_cap} broken"),
            (
                "When we open {feature} we get {error_code} {timeframe}.",
                "{feature_cap} throws {error_code} for several of our users {timeframe}.",
                "{n} of our users get {error_code} as soon as they open {feature}.",
            ),
        ),
        (
            ("Error when saving changes in {feature}", "Can't save in {feature}"),
            (
                "Saving a record in {feature} fails with {error_code}.",
                "Every time we try to save changes in {feature} we get {error_code} and lose the edit.",
            ),
        ),
        (
            ("Stale data in {feature}", "{feature_cap} not updating"),
            (
                "{feature_cap} has been showing stale data {timeframe}; the numbers don't match the source.",
                "{feature_cap} stopped refreshing {timeframe}, so people are working off old numbers.",
            ),
        ),
        (
            ("Filters reset in {feature}", "Saved filters disappearing"),
            (
                "Every time someone applies a filter in {feature} it resets after a page refresh.",
                "Our saved filters keep disappearing from {feature}.",
            ),
        ),
        (
            ("Duplicate records created", "Duplicates appearing in {feature}"),
            (
                "We're seeing duplicate entries created whenever {feature} runs, about {n} a day.",
                "Since {timeframe_plain} {feature} creates duplicate records that we have to clean up by hand.",
            ),
        ),
        (
            ("Buttons unresponsive in {browser}", "Save button does nothing in {browser}"),
            (
                "Users on {browser} can't click the save button in {feature}; it just does nothing.",
                "In {browser} half of the buttons in {feature} don't respond to clicks.",
            ),
        ),
        (
            ("Attachments fail to upload", "File upload error"),
            (
                "Uploading attachments larger than a few MB fails with {error_code}.",
                "File uploads get stuck at 99% and then fail with {error_code}.",
            ),
        ),
        (
            ("Timezone wrong on scheduled items", "Scheduled times off by an hour"),
            (
                "Scheduled items show up an hour off since the daylight-saving change.",
                "Everything scheduled in {feature} shows in UTC instead of our local time zone.",
            ),
        ),
        (
            ("Edits lost after refresh", "Changes not persisting"),
            (
                "Changes made in {feature} disappear after a refresh, as if they were never saved.",
                "We update records in {feature} and a few minutes later the old values are back.",
            ),
        ),
        (
            ("Notifications not sent", "Missing email alerts"),
            (
                "Alerts configured in {feature} stopped sending emails {timeframe}.",
                "Nobody on {team} is receiving notifications anymore, even though they're switched on.",
            ),
        ),
        (
            ("Mobile app crashes on launch", "Mobile app keeps crashing"),
            (
                "The mobile app crashes right after login for {n} of our field users.",
                "Since the last app update the mobile app closes itself when we open {feature}.",
            ),
        ),
    ),
    "performance": (
        (
            ("{feature_cap} extremely slow", "Slow loading in {feature}"),
            (
                "{feature_cap} takes around {seconds} seconds to load, when it used to be instant.",
                "Loading {feature} spins for {seconds} seconds before anything shows up.",
            ),
        ),
        (
            ("Dashboards timing out", "Dashboard timeouts on longer date ranges"),
            (
                "Our dashboards time out with {error_code} when we select more than a month of data.",
                "Any dashboard covering a full quarter now times out before it renders.",
            ),
        ),
        (
            ("Slow search results", "Search is very slow"),
            (
                "Search has become very slow {timeframe}; simple lookups take ages.",
                "Finding a record through global search now takes {seconds} seconds or more.",
            ),
        ),
        (
            ("Report generation hangs", "{report_cap} never finishes"),
            (
                "Generating the {report} hangs and eventually fails after a few minutes.",
                "The {report} used to take seconds; now it runs for minutes and often never finishes.",
            ),
        ),
        (
            ("Platform sluggish for {team}", "Everything feels slow"),
            (
                "The whole platform has felt sluggish {timeframe}, especially in the mornings.",
                "Every click takes a few seconds for {team}, which adds up over a day.",
            ),
        ),
        (
            ("Timeouts on large accounts", "Large workspaces time out"),
            (
                "Anything touching more than {big_n} records now times out.",
                "Our biggest workspace with {big_n} records is practically unusable because of timeouts.",
            ),
        ),
        (
            ("Latency spikes during business hours", "Slow every morning"),
            (
                "Latency spikes every day between 9 and 11am for our {region} users.",
                "Performance drops sharply during our business hours and recovers in the evening.",
            ),
        ),
        (
            ("Exports taking forever", "Bulk actions very slow"),
            (
                "Bulk updates of a few hundred records take over {seconds} seconds each time.",
                "Exports that used to take a minute are now taking close to an hour.",
            ),
        ),
    ),
    "billing": (
        (
            ("Question about our latest invoice", "Invoice amount looks wrong"),
            (
                "Our latest invoice shows {n} more seats than we actually have active.",
                "The amount on this month's invoice doesn't match our contract.",
            ),
        ),
        (
            ("Charged twice this month", "Duplicate charge"),
            (
                "It looks like we were charged twice for the same period.",
                "Our card statement shows two identical charges from you this {period}.",
            ),
        ),
        (
            ("Payment failed - card update", "Need to update payment method"),
            (
                "Our card payment failed and we need to update the payment method.",
                "We got an email that the payment was declined; our old card expired.",
            ),
        ),
        (
            ("Unexpected price increase", "Why did our invoice go up?"),
            (
                "The invoice total went up noticeably and we didn't get any notice of a price change.",
                "We were surprised by a price increase on the latest invoice; nobody told us about it.",
            ),
        ),
        (
            ("Need PO number on invoices", "Invoice re-issue request"),
            (
                "We need the invoice re-issued with our PO number for {deadline}.",
                "Accounts payable can't process invoices without our PO number on them.",
            ),
        ),
        (
            ("Change billing contact", "Update billing email"),
            (
                "Please change the billing contact to our accounts payable team.",
                "Invoices are still going to someone who left; please send them to our AP inbox instead.",
            ),
        ),
        (
            ("Refund request for unused seats", "Credit for removed seats"),
            (
                "We'd like a refund for seats we removed at the start of the {period}.",
                "We reduced our seat count but are still being billed for the old number.",
            ),
        ),
        (
            ("VAT ID missing on invoice", "Tax details wrong on invoice"),
            (
                "Our VAT ID is missing from the last few invoices, so finance can't process them.",
                "The company address and tax number on our invoices are out of date.",
            ),
        ),
        (
            ("Billed for a module we don't use", "Unexpected line item"),
            (
                "We were billed for a module we never enabled.",
                "There's a line item for an add-on we never asked for.",
            ),
        ),
    ),
    "integration": (
        (
            ("{integration} sync failing", "{integration} connector throws {error_code}"),
            (
                "Our {integration} sync has been failing {timeframe} with {error_code}.",
                "The {integration} connector errors out with {error_code} on every run.",
            ),
        ),
        (
            ("{integration} integration stopped working", "Records not syncing to {integration}"),
            (
                "Records created in {integration} are no longer showing up on our side.",
                "Nothing has synced from {integration} {timeframe}.",
            ),
        ),
        (
            ("Duplicate contacts from {integration}", "{integration} creating duplicates"),
            (
                "The {integration} connector creates duplicate records every night.",
                "Each {integration} sync adds another copy of the same records.",
            ),
        ),
        (
            ("Field mapping issue with {integration}", "{integration} fields empty"),
            (
                "Custom fields we mapped to {integration} come through empty.",
                "Two of our mapped fields never arrive in {integration}, the rest work fine.",
            ),
        ),
        (
            ("{integration} webhook not firing", "No updates from {integration}"),
            (
                "The {integration} webhook stopped firing {timeframe}, so nothing updates automatically.",
                "We don't receive {integration} events anymore; the webhook log is empty.",
            ),
        ),
        (
            (
                "Reconnect {integration} after password change",
                "{integration} authorisation expired",
            ),
            (
                "After rotating our service account password, {integration} won't reconnect.",
                "The {integration} authorisation expired and re-authorising fails with {error_code}.",
            ),
        ),
        (
            ("{integration} sync backlog", "{integration} queue stuck"),
            (
                "Roughly {big_n} records are stuck in the {integration} sync queue.",
                "The {integration} sync is hours behind and the backlog keeps growing.",
            ),
        ),
    ),
    "sso-login": (
        (
            ("SSO login failing with {idp}", "{idp} SAML error"),
            (
                "Users signing in through {idp} get {error_code} and can't get in.",
                "Since {timeframe_plain} {idp} sign-in fails with SAML_RESPONSE_INVALID.",
            ),
        ),
        (
            ("Users locked out", "Users locked out after certificate rotation"),
            (
                "{n} users are locked out after the latest {idp} certificate rotation.",
                "A group of our users is locked out and the unlock link doesn't work.",
            ),
        ),
        (
            ("SSO redirect loop", "Login keeps redirecting"),
            (
                "Login via {idp} ends up in a redirect loop back to the sign-in page.",
                "After authenticating in {idp} users are bounced back to the login screen again and again.",
            ),
        ),
        (
            ("MFA codes not accepted", "Two-factor codes rejected"),
            (
                "MFA codes are being rejected even though they're correct.",
                "Several users can't get past two-factor authentication with valid codes.",
            ),
        ),
        (
            ("New users can't sign in via {idp}", "Provisioned users can't log in"),
            (
                "Newly provisioned users from {idp} can't sign in at all.",
                "Users we added in {idp} this {period} get an 'account not found' error.",
            ),
        ),
        (
            ("Session expires every few minutes", "Constantly logged out"),
            (
                "Sessions expire every few minutes, so people keep getting logged out.",
                "Our users are logged out several times an hour and lose their unsaved work.",
            ),
        ),
        (
            ("Password reset emails not arriving", "Can't reset password"),
            (
                "Password reset emails aren't arriving for some of our users.",
                "The reset link says it has expired the moment users click it.",
            ),
        ),
    ),
    "data-export": (
        (
            ("{file_format} export failing", "Export error above {big_n} rows"),
            (
                "Exporting to {file_format} fails with {error_code} once we go above {big_n} rows.",
                "Our {file_format} exports stopped working; the download never starts.",
            ),
        ),
        (
            ("Need full data export", "Request: complete export of our data"),
            (
                "We need a full export of all our data, including history and attachments.",
                "Could you provide a complete export of our workspace, including archived records?",
            ),
        ),
        (
            ("Export missing columns", "Custom fields missing from export"),
            (
                "Our {file_format} export is missing the custom fields we added last {period}.",
                "Several columns that are visible in the UI don't appear in the export.",
            ),
        ),
        (
            ("Scheduled export didn't arrive", "Warehouse export missing"),
            (
                "The scheduled export to our data warehouse didn't arrive {timeframe}.",
                "Our nightly export to the warehouse has silently stopped.",
            ),
        ),
        (
            ("Export file corrupted", "Downloaded file won't open"),
            (
                "The {file_format} file we downloaded won't open; it seems to be corrupted.",
                "Exported files open with garbled characters in every text column.",
            ),
        ),
        (
            ("Bulk export of historical data", "Historical data export"),
            (
                "We'd like to pull {n} years of historical records for an internal analysis.",
                "Our data team needs all activity history since we became a customer.",
            ),
        ),
        (
            ("Export limit too low", "Raise export row limit"),
            (
                "The export limit of {big_n} rows is too low for what {team} needs.",
                "We keep hitting the row limit on exports and have to split them by hand.",
            ),
        ),
    ),
    "onboarding": (
        (
            ("Help getting started", "Setting up {feature}"),
            (
                "We're just getting started and want to make sure we set up {feature} the right way.",
                "We're new to the platform and not sure where to start with {feature}.",
            ),
        ),
        (
            ("Onboarding session request", "Training for our team"),
            (
                "Could we book an onboarding session for {team}?",
                "We'd like a live training for {team} before we roll out more widely.",
            ),
        ),
        (
            ("Importing our existing data", "Migration from our old tool"),
            (
                "We need to import about {big_n} records from our old tool; what's the best approach?",
                "What's the recommended way to migrate our data from the spreadsheet we used before?",
            ),
        ),
        (
            ("Best way to set up workspaces", "Workspace structure question"),
            (
                "What's the recommended way to structure workspaces for {n} teams?",
                "Should we use one workspace per region or one for the whole company?",
            ),
        ),
        (
            ("Training for new admins", "Admin training"),
            (
                "We have {n} new admins who need training before we roll out to everyone.",
                "Is there admin certification or training material we can use?",
            ),
        ),
        (
            ("Setting up teams and permissions", "Permissions during setup"),
            (
                "We're not sure how to set up roles so that {team} only sees their own data.",
                "During setup we got confused by how team permissions and roles interact.",
            ),
        ),
    ),
    "how-to": (
        (
            ("How do I configure {feature}?", "Question about {feature}"),
            (
                "How do I set up {feature} so that it only applies to one team?",
                "What's the best way to configure {feature} for {team}?",
            ),
        ),
        (
            ("How to share dashboards externally", "Sharing a dashboard with a client"),
            (
                "Is there a way to share a dashboard with people outside our company?",
                "Can we send a read-only link to a dashboard to one of our clients?",
            ),
        ),
        (
            ("Where can I find the {report}?", "{report_cap} moved?"),
            (
                "Where can I find the {report} that used to be on the home page?",
                "I can't find the {report} since the navigation changed.",
            ),
        ),
        (
            ("Is it possible to schedule reports?", "Scheduling the {report}"),
            (
                "Can we schedule the {report} to go out every Monday morning?",
                "Is there a way to email the {report} automatically each month?",
            ),
        ),
        (
            ("How to filter by custom field", "Filtering question"),
            (
                "How do we filter {feature} by one of our custom fields?",
                "Is it possible to combine two filters with OR in {feature}?",
            ),
        ),
        (
            ("Changing default settings", "Default view for everyone"),
            (
                "Is it possible to change the default view for all users at once?",
                "How do admins set default notification settings for new users?",
            ),
        ),
        (
            ("Quick question on permissions", "Roles explained"),
            (
                "What's the difference between the {role} and admin roles?",
                "Which role should someone on {team} have if they only need to view reports?",
            ),
        ),
        (
            ("Can we automate this?", "Trigger {integration} from {feature}"),
            (
                "Can {feature} trigger a notification in {integration}?",
                "Is there a way to automate the weekly clean-up we do by hand in {feature}?",
            ),
        ),
    ),
    "feature-request": (
        (
            ("Feature request: bulk actions in {feature}", "Bulk edit please"),
            (
                "It would be great if {feature} supported bulk actions; we do the same edit {n} times a day.",
                "Please add bulk editing to {feature}, it would save {team} a lot of clicking.",
            ),
        ),
        (
            ("Would love a {integration} integration", "Native {integration} integration?"),
            (
                "Any plans for a native {integration} integration? It comes up with {team} a lot.",
                "We'd love to connect {integration} directly instead of going through exports.",
            ),
        ),
        (
            ("Suggestion for the {report}", "Customisable {report}"),
            (
                "We'd love to customise the {report} with our own columns.",
                "Could the {report} support grouping by region and team?",
            ),
        ),
        (
            ("More granular permissions", "Per-workspace permissions"),
            (
                "Could permissions be set per workspace instead of account-wide?",
                "We need field-level permissions so that finance data stays private.",
            ),
        ),
        (
            ("API access to {feature}", "Expose {feature} in the API"),
            (
                "Please consider adding {feature} to the API, we'd automate a lot with it.",
                "Our engineers would like API endpoints for {feature}.",
            ),
        ),
        (
            ("Dark mode please", "Request: dark mode"),
            (
                "Several users asked for a dark mode.",
                "A dark theme would be really appreciated by {team}, who work late shifts.",
            ),
        ),
        (
            ("Custom branding for shared reports", "Logo on shared reports"),
            (
                "We'd like to brand shared reports with our logo before sending them to clients.",
                "Can we put our own logo and colours on reports we share externally?",
            ),
        ),
    ),
    "user-management": (
        (
            ("Add {n} new users", "New users for {team}"),
            (
                "Please add {n} new users from {team} to our account.",
                "We're onboarding {n} new hires and need accounts for them.",
            ),
        ),
        (
            ("Remove leavers from account", "Deactivate users"),
            (
                "We need to remove {n} people who left the company last {period}.",
                "Please deactivate the users on the attached list; they've left the company.",
            ),
        ),
        (
            ("Transfer ownership to new admin", "Change account owner"),
            (
                "Our main admin is leaving; how do we transfer ownership?",
                "We need to make someone else the account owner as our admin is going on leave.",
            ),
        ),
        (
            ("Change user roles", "Role change request"),
            (
                "We want to change {n} users from {role} to admin.",
                "Can you help us move the whole of {team} to the {role} role?",
            ),
        ),
        (
            ("Seat limit reached", "Can't invite more users"),
            (
                "We hit our seat limit and can't invite anyone else.",
                "Invites fail with a seat-limit message although we removed people last week.",
            ),
        ),
        (
            ("SCIM provisioning issue", "Deprovisioned users still active"),
            (
                "Users deprovisioned in {idp} still show as active here.",
                "SCIM provisioning from {idp} stopped creating new users.",
            ),
        ),
    ),
    "api": (
        (
            ("API returning {error_code}", "API errors on nightly job"),
            (
                "Our nightly job gets {error_code} from the API {timeframe}.",
                "About one in ten API calls fails with {error_code}.",
            ),
        ),
        (
            ("Rate limits too strict", "Hitting API rate limits"),
            (
                "We keep hitting rate limits when syncing about {big_n} records.",
                "Our integration gets HTTP 429 within minutes of starting a sync.",
            ),
        ),
        (
            ("Webhook payload changed", "Breaking change in webhook"),
            (
                "The webhook payload changed shape without notice and broke our integration.",
                "A field we rely on disappeared from the webhook payload.",
            ),
        ),
        (
            ("API token expired unexpectedly", "API token not working"),
            (
                "Our API token stopped working although it should not expire.",
                "Requests with our API key suddenly return {error_code}.",
            ),
        ),
        (
            ("Pagination bug in API", "API skipping records"),
            (
                "Paginating through results skips records after page {n}.",
                "The list endpoint returns the same records on different pages.",
            ),
        ),
        (
            ("API docs unclear", "Docs don't match API"),
            (
                "The API docs for {feature} don't match what the endpoint returns.",
                "We can't find documentation for filtering by date in the API.",
            ),
        ),
    ),
    "reporting": (
        (
            ("{report_cap} numbers look off", "Discrepancy in {report}"),
            (
                "The {report} shows different numbers than the underlying records.",
                "Totals in the {report} don't add up to the rows shown beneath them.",
            ),
        ),
        (
            ("Report missing data", "{report_cap} incomplete"),
            (
                "Our {report} is missing the last {n} days of data.",
                "Data from one of our teams is missing from the {report}.",
            ),
        ),
        (
            ("Can't build the report we need", "Grouping by custom fields"),
            (
                "We can't build a report that groups by our custom fields.",
                "The report builder won't let us combine the two data sources we need.",
            ),
        ),
        (
            ("Scheduled report not sent", "Report email missing"),
            (
                "The scheduled {report} didn't go out this {period}.",
                "Nobody received the {report} email on Monday.",
            ),
        ),
        (
            ("Chart not rendering", "Blank charts in {feature}"),
            (
                "Charts in {feature} don't render, only an empty frame.",
                "All charts show 'no data' although the table view has data.",
            ),
        ),
    ),
    "security-compliance": (
        (
            ("Security questionnaire for renewal", "Request for SOC 2 report"),
            (
                "Our security team needs your latest SOC 2 report and a completed questionnaire.",
                "Could you share your SOC 2 Type II report and pen test summary?",
            ),
        ),
        (
            ("Data residency question", "Where is our data stored?"),
            (
                "Can you confirm where our data is stored and whether we can keep it in the {region}?",
                "Our legal team asks whether data can be kept in the {region} only.",
            ),
        ),
        (
            ("GDPR data deletion request", "Right to erasure request"),
            (
                "We received a GDPR deletion request and need to remove one person's data.",
                "How do we permanently delete a former employee's personal data?",
            ),
        ),
        (
            ("Pen test findings", "Security findings to review"),
            (
                "Our pen testers flagged a few findings we'd like to review with your team.",
                "Our security scan reported missing headers on the login page.",
            ),
        ),
        (
            ("Audit log retention", "Longer audit log history"),
            (
                "How long is the audit log retained, and can we extend it?",
                "For compliance we need two years of audit log history.",
            ),
        ),
    ),
    "cancellation": (
        (
            ("Notice of non-renewal", "Not renewing our contract"),
            (
                "We've decided not to renew our subscription at the end of the current term.",
                "Please treat this as our formal notice of non-renewal.",
            ),
        ),
        (
            ("How do we cancel?", "Cancellation process"),
            (
                "What is the process for cancelling, and what happens to our data afterwards?",
                "We'd like to understand our notice period and how to end the contract.",
            ),
        ),
        (
            ("Budget cuts - cancelling", "Cutting tools next year"),
            (
                "Leadership asked us to cut tools for next year and this is one of them.",
                "Our budget for next year was cut and we can't justify the spend anymore.",
            ),
        ),
        (
            ("Downgrade or cancel options", "Reduce seats ahead of renewal"),
            (
                "We want to reduce our seats by more than half at renewal, or cancel altogether.",
                "What are our options to downgrade? Otherwise we'll cancel.",
            ),
        ),
        (
            ("Ending our subscription", "Termination notice"),
            (
                "Adoption never took off here, so we're planning to cancel.",
                "We're winding down our use of the platform and want to end the subscription.",
            ),
        ),
    ),
    "competitor": (
        (
            ("Comparing with {competitor}", "Evaluating other vendors"),
            (
                "We're evaluating {competitor} ahead of our renewal and need to understand the differences.",
                "Procurement asked us to run a comparison with {competitor} before we sign again.",
            ),
        ),
        (
            ("{competitor} offered us a better deal", "Can you match {competitor}'s offer?"),
            (
                "{competitor} offered us a significantly lower price for similar functionality.",
                "We have a quote from {competitor} that's about 30% cheaper.",
            ),
        ),
        (
            ("Trial of {competitor}", "Feedback from our {competitor} trial"),
            (
                "Our team trialled {competitor} last {period} and liked how they handle {feature}.",
                "{team_cap} has been piloting {competitor} and prefers their take on {feature}.",
            ),
        ),
        (
            ("Migration questions", "Moving our data out"),
            (
                "If we move to another vendor, how would we migrate our data out?",
                "What export options do we have if we switch to {competitor}?",
            ),
        ),
        (
            ("Pricing versus alternatives", "Justifying the cost"),
            (
                "We're being asked to justify the cost compared to {competitor}.",
                "Finance wants to know why we pay more than {competitor} would charge.",
            ),
        ),
    ),
    "praise": (
        (
            ("Thank you!", "Great support from {agent}"),
            (
                "Just wanted to say thanks to {agent} for sorting out our issue so quickly.",
                "{agent} went above and beyond on our last ticket; thank you!",
            ),
        ),
        (
            ("Loving the update to {feature}", "Big win with {feature}"),
            (
                "The latest update to {feature} has saved {team} hours every week.",
                "{feature_cap} has made a real difference for {team}.",
            ),
        ),
        (
            ("Kudos to the team", "Executives loved the {report}"),
            (
                "We presented the {report} to our executives and they loved it.",
                "Our leadership now opens the {report} every week, great work.",
            ),
        ),
        (
            ("Quick thanks", "Smooth rollout"),
            (
                "Rollout to {team} went really smoothly, thanks for the help.",
                "The {integration} integration has been rock solid since we set it up.",
            ),
        ),
    ),
}

TICKET_DETAILS: dict[str, tuple[str, ...]] = {
    "bug": (
        "We cleared cache and tried incognito, same result.",
        "It happens on {browser} and on the mobile app.",
        "Screenshots are attached.",
        "It started right after the latest release.",
        "It seems to affect only users with the {role} role.",
        "Our users in the {region} are hit hardest.",
        "We can reproduce it every time.",
        "Nothing changed on our side as far as we know.",
    ),
    "performance": (
        "Our network team confirmed nothing changed on our end.",
        "It's the same in every browser we tried.",
        "We have about {big_n} records in the account, which hasn't changed much.",
        "The status page shows everything green, but it clearly isn't.",
        "It's worst for {team}, who live in the product all day.",
        "A few users have started keeping their own spreadsheets instead.",
    ),
    "billing": (
        "Finance flagged it during {deadline}.",
        "The invoice number is in the attachment.",
        "Our procurement team needs this resolved before they can pay.",
        "We checked the admin console and the numbers don't match.",
        "Can you send an updated copy to our accounts payable inbox?",
    ),
    "integration": (
        "The connection test passes, but the sync job still fails.",
        "We haven't changed anything in {integration} recently.",
        "{team_cap} depends on this data being current every morning.",
        "Logs show the same error repeating every 15 minutes.",
        "We re-authorised the connection twice already.",
    ),
    "sso-login": (
        "Our IT team confirmed the {idp} configuration hasn't changed.",
        "It affects everyone with the {role} role.",
        "We uploaded the new metadata file but nothing changed.",
        "This is blocking {team} this morning.",
        "Direct login with a password still works for admins.",
    ),
    "data-export": (
        "This is for {deadline}, so timing matters.",
        "We tried smaller date ranges with the same result.",
        "Is there an API endpoint that would be better for this?",
        "Our data team wants to load it into their warehouse.",
    ),
    "onboarding": (
        "We'd like to go live before {deadline}.",
        "Any templates or best-practice guides would be great.",
        "Happy to share our current setup on a screen share.",
    ),
    "how-to": (
        "I looked through the help center but couldn't find it.",
        "A link to the right article would be perfect.",
        "No rush on this one.",
    ),
    "feature-request": (
        "Happy to talk to your product team about our use case.",
        "Other tools we use already have this.",
        "This would really help adoption with {team}.",
        "Is this on the roadmap?",
    ),
    "user-management": (
        "The list of emails is attached.",
        "This needs to happen before {deadline}.",
        "Can admins do this themselves somewhere?",
    ),
    "api": (
        "Request ids are in the attached log.",
        "Our engineers are blocked until this is sorted.",
        "Is there a sandbox where we can test this?",
    ),
    "reporting": (
        "We present these numbers at {deadline}.",
        "{team_cap} noticed the discrepancy first.",
    ),
    "security-compliance": (
        "This is part of our annual vendor review.",
        "We need this before {deadline}.",
    ),
    "cancellation": (
        "Please confirm in writing.",
        "We'll need a full export of our data before the account closes.",
        "We've had too many unresolved issues over the last few months.",
        "The decision has been made at the executive level.",
    ),
    "competitor": (
        "Honestly the decision isn't made yet, but it's leaning away from you.",
        "We'd like to talk to someone about pricing.",
        "Our executive sponsor is pushing for the switch.",
    ),
    "praise": (
        "Keep up the great work.",
        "We'll be recommending you to our partners.",
    ),
}
