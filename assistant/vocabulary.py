"""The corpus's fixed vocabularies: document types, topics and alliance lifecycle phases."""

DOC_TYPES = ("article", "roundtable", "playbook")
TOPICS = (
    "priorities",
    "health-checks",
    "resets",
    "governance",
    "sponsorship",
    "metrics",
    "exits",
    "resourcing",
    "skills",
    "communication",
)
LIFECYCLE = (
    "strategy",
    "partner-selection",
    "negotiation-and-trust",
    "operational-planning",
    "structuring-and-governance",
    "launch-and-management",
    "transformation-or-exit",
)
