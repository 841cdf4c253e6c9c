"""Subjects the assistant does not advise on, and how strongly a question leans towards one of them.

Near-miss questions ("how is withholding tax handled on a revenue share?") share most of their words with the
knowledge base, so retrieval alone finds passages that look relevant. What gives them away is that the
question reads more like a specialist subject (tax, law, accounting, engineering, everyday life) than like the
passage found for it. The evidence score compares the two similarities; a question about a subject the
knowledge base really covers is closer to its passage than to any of these descriptions, so a corpus that does
cover, say, contract renewals keeps answering about them.

The list is the product's policy, written once as broad subject descriptions, not as copies of test questions.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from functools import cached_property

import numpy as np

from assistant.embeddings import Embedder
from assistant.text import content_terms, the_ask, words

SUBJECTS: tuple[str, ...] = (
    # specialist advice that belongs to other professions
    "tax law, withholding tax, VAT, transfer pricing and tax-efficient structures",
    "accounting standards, revenue recognition, IFRS and GAAP bookkeeping",
    "employment law, employee contracts, non-compete clauses, salaries and HR policy",
    "payroll, overtime rules and working-time regulations",
    "immigration, visas and work permits",
    "contract law, drafting legal clauses, statutory notice periods, liability and litigation",
    "writing an NDA or the wording of a confidentiality clause",
    "antitrust law, competition authorities and cartel rules",
    "data protection law and GDPR compliance",
    "insurance policies and liability cover",
    "valuing a company with discounted cash flow models, valuation multiples and acquisition earn-outs",
    "royalty rates for licensing a drug or a patent",
    "product pricing, list prices and discount levels",
    "pay for salespeople: commission rates, on-target earnings and sales quotas",
    "software programming, source code, APIs, authentication and encryption",
    "identity and access management: single sign-on, SAML, user provisioning and cybersecurity settings",
    "setting up fields, workflows and reports in Salesforce or HubSpot software",
    "medical symptoms, diagnoses and treatments",
    "personal finance, mortgages and investing",
    # everyday life and general knowledge
    "cooking, recipes, baking and food",
    "baking bread, sourdough, cakes and pastry",
    "sports, games and their rules",
    "football and other sports: leagues, teams, players, matches and their results",
    "travel, flights, transport and tourism",
    "weather forecasts and climate",
    "geography, history and general knowledge trivia",
    "health, fitness, sleep and exercise",
    "home, garden, cleaning and DIY repairs",
    "books, films, music and entertainment",
    "science, physics and astronomy",
    "politics, elections and current news",
    "pets, animals and plants",
    "which phone, laptop or gadget to buy for personal use",
)


# Words that mark a request for specialist advice (law, tax, accounting, pay and immigration, engineering and
# identity, valuation, pricing). When a question uses one and none of the passages found for it does, the
# knowledge base does not speak to that part of the question, however well the rest of it matches: the assistant
# abstains.
SPECIALIST_WORDS: frozenset[str] = frozenset(
    """
    law laws legal legally lawful unlawful illegal legislation lawyer lawyers attorney attorneys counsel statutory
    statute litigation litigate lawsuit sue court courts tribunal injunction jurisdiction liability liable indemnity
    indemnification enforceable unenforceable non-compete liquidated tort gdpr ccpa hipaa tupe fcpa sarbanes-oxley
    antitrust cartel patent patents trademark trademarks copyright insurance insurer notarised notarized
    non-solicitation non-solicit non-disparagement bribery anti-bribery kickback kickbacks anti-kickback
    tax taxes taxation taxable vat gst withholding deductible deductibility irs hmrc oecd beps tariff tariffs
    customs excise
    fda ema ftc doj fca ofac sec osha epa finra cftc fcc ofcom ofgem cma mhra nhtsa faa easa cfpb fdic occ directive
    directives
    ifrs ias ipsas gaap asc fasb accounting accountant bookkeeping booked ledger accrual accruals accrue expense
    expensed impairment
    capitalise capitalised capitalize capitalized depreciation amortisation amortization
    salary salaries payroll overtime pension visa visas immigration severance redundancy layoff layoffs dismissal
    maternity paternity recruiter recruiting commission commissions bonus ote
    code coding programming oauth saml scim sso ldap openid single-sign-on sign-on token encryption encrypt
    firewall vpn algorithm python javascript typescript java css html sql database kubernetes docker webhook
    webhooks authentication ssl tls git
    valuation dcf irr npv wacc ebitda earn-out dividend mortgage margin margins pricing
    emission emissions ghg co2 greenhouse
    """.split()
)
# Specialist terms of more than one word, looked for as typed in the passages' text.
SPECIALIST_PHRASES: tuple[str, ...] = (
    "stamp duty",
    "merger control",
    "competition law",
    "equity method",
    "financial statements",
    "balance sheet",
    "revenue recognition",
    "recognise revenue",
    "recognize revenue",
    "significant influence",
    "scope 1",
    "scope 2",
    "scope 3",
    "present value",
    "discounted cash flow",
    "internal rate of return",
    "payback period",
)
# A specialist word that names a team ("our legal department", "the tax team") speaks of the people, not of
# their subject: a question about working with them is not a request for their advice.
_TEAM_NOUNS = frozenset("department departments team teams function colleagues group office folks".split())
# A law, rule, guidance, regulator or court named as typed: "the Sunshine Act", "Substantial Shareholding
# Exemption", "the Endorsement Guides", "the Federal Trade Commission", "the Consumer Financial Protection Bureau".
_NAMED_LAW = re.compile(
    r"\b(?:[A-Z][\w'’-]*\s+){1,4}"
    r"(?:Act|Directives?|Regulations?|Exemption|Guides|Guidelines|Rules?|Code|Commission|Authority|Agency|Bureau"
    r"|Administration|Inspectorate|Ombudsman|Regulator|Tribunal|Court)\b"
)
# Business software named as a tool in use: "a shared Jira board", "tag the deals in Salesforce", "set up HubSpot".
# How to run one is its vendor's documentation. Named as a partner ("co-sell with Salesforce", "ServiceNow's partner
# programme") it is what the knowledge base is about.
_PRODUCT_NAMES = (
    r"(jira|confluence|salesforce|hubspot|servicenow|zendesk|sharepoint|asana|trello|tableau|netsuite|quickbooks"
    r"|xero|docusign|marketo|pardot)"
)
_SOFTWARE_IN_USE = re.compile(
    rf"""\b(?:in|into|inside|using|use|configure|set\s+up|setup)\s+(?:(?:our|their|a|an|the|shared|joint)\s+)*
        {_PRODUCT_NAMES}\b
    | \b{_PRODUCT_NAMES}\s+(?:boards?|dashboards?|fields?|reports?|workflows?|instances?|orgs?|licen[cs]es?
        |integrations?|plugins?|apps?|projects?|spaces?|pages?|tickets?|objects?|queues?|permissions?|sandbox(?:es)?|admins?)\b""",
    re.IGNORECASE | re.VERBOSE,
)


def specialist_gaps(question: str, passage_terms: Iterable[str], passage_text: str = "") -> list[str]:
    """The specialist words the question asks with (as typed: "accounting", not its stem "account", which would
    also catch "key accounts") that no passage found for it contains in any form, and the specialist phrases it
    asks with that `passage_text` does not. Only the sentences that ask are read: a story that sets the scene
    with "our lawyer" or "their sales commission" still asks about running the partnership."""
    have = set(passage_terms)
    question = the_ask(question)
    typed = [re.sub(r"['’]s$", "", word) for word in words(question)]  # "OSHA's standard" names OSHA
    asking = {w for w, after in zip(typed, [*typed[1:], ""], strict=True) if after not in _TEAM_NOUNS}
    gaps = [w for w in asking if w in SPECIALIST_WORDS and not set(content_terms(w)) & have]
    asked = f" {' '.join(typed)} "
    phrases = [p for p in SPECIALIST_PHRASES if f" {p} " in asked]
    phrases += [" ".join(words(law)) for law in _NAMED_LAW.findall(question)]
    phrases += [name.lower() for match in _SOFTWARE_IN_USE.finditer(question) for name in match.groups() if name]
    if phrases:  # the passages' text is only read word by word when there is a phrase to look for
        text = f" {' '.join(words(passage_text))} "
        gaps += [p for p in phrases if f" {p} " not in text]
    return sorted(gaps)


class OffTopic:
    """Similarity of a question to the nearest subject the assistant does not cover (cosine, -1..1)."""

    def __init__(self, embedder: Embedder, subjects: Sequence[str] = SUBJECTS) -> None:
        self.embedder = embedder
        self.subjects = tuple(subjects)

    @cached_property
    def _vectors(self) -> np.ndarray:
        return np.asarray(self.embedder.embed_documents(list(self.subjects)), dtype=np.float32)

    def warm_up(self) -> None:
        _ = self._vectors

    def nearest(self, query_vector: np.ndarray | None) -> tuple[float, str | None]:
        """The closest subject and its similarity; (0.0, None) when there is no question vector."""
        if query_vector is None or not self.subjects:
            return 0.0, None
        sims = self._vectors @ np.asarray(query_vector, dtype=np.float32)
        best = int(np.argmax(sims))
        return float(sims[best]), self.subjects[best]

    def similarity(self, query_vector: np.ndarray | None) -> float:
        return self.nearest(query_vector)[0]
