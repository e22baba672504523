"""The demo organisation: 40 members of "Northwind Labs" across the seniority ladder.

Deterministic (seeded RNG) and idempotent: members are matched by username. Every
member's password is DEMO_PASSWORD (printed by `seed_demo`), e-mails are verified.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from profiles.models import Seniority, User
from profiles.services import create_member
from skills.models import MemberSkill
from skills.services import add_skill

DEMO_PASSWORD = "vouch-demo-2026"
DEMO_DOMAIN = "northwind.example"

# (username, display name, seniority, title, team)
PEOPLE = [
    ("maria", "Maria Okafor", "EXECUTIVE", "CTO", "leadership"),
    ("david", "David Chen", "DIRECTOR", "Director of Engineering", "leadership"),
    ("sofia", "Sofia Rossi", "DIRECTOR", "Director of Product", "product"),
    ("kwame", "Kwame Mensah", "MANAGER", "Engineering Manager, Platform", "platform"),
    ("ines", "Inês Carvalho", "MANAGER", "Engineering Manager, Web", "web"),
    ("tomas", "Tomás Novak", "MANAGER", "Engineering Manager, Data", "data"),
    ("priya", "Priya Raman", "MANAGER", "Design Manager", "design"),
    ("lena", "Lena Fischer", "LEAD", "Staff Engineer", "platform"),
    ("omar", "Omar Haddad", "LEAD", "Tech Lead, Web", "web"),
    ("yuki", "Yuki Tanaka", "LEAD", "Data Science Lead", "data"),
    ("ana", "Ana Lima", "SENIOR", "Senior Platform Engineer", "platform"),
    ("jonas", "Jonas Berg", "SENIOR", "Senior SRE", "platform"),
    ("fatima", "Fatima Zahra", "SENIOR", "Senior Frontend Engineer", "web"),
    ("liam", "Liam O'Brien", "SENIOR", "Senior Backend Engineer", "web"),
    ("chen", "Chen Wei", "SENIOR", "Senior Data Engineer", "data"),
    ("amara", "Amara Nwosu", "SENIOR", "Senior Product Designer", "design"),
    ("lucas", "Lucas Martin", "SENIOR", "Senior Product Manager", "product"),
    ("elif", "Elif Yılmaz", "MID", "Platform Engineer", "platform"),
    ("mateo", "Mateo García", "MID", "Platform Engineer", "platform"),
    ("hana", "Hana Kim", "MID", "Frontend Engineer", "web"),
    ("noah", "Noah Williams", "MID", "Backend Engineer", "web"),
    ("zara", "Zara Ahmed", "MID", "Backend Engineer", "web"),
    ("olga", "Olga Petrova", "MID", "Data Analyst", "data"),
    ("ravi", "Ravi Patel", "MID", "ML Engineer", "data"),
    ("grace", "Grace Mwangi", "MID", "Product Designer", "design"),
    ("felix", "Felix Wagner", "MID", "Product Manager", "product"),
    ("aisha", "Aisha Bello", "JUNIOR", "Junior Platform Engineer", "platform"),
    ("ben", "Ben Cohen", "JUNIOR", "Junior Frontend Engineer", "web"),
    ("carla", "Carla Méndez", "JUNIOR", "Junior Backend Engineer", "web"),
    ("dmitri", "Dmitri Ivanov", "JUNIOR", "Junior Data Engineer", "data"),
    ("emma", "Emma Johansson", "JUNIOR", "Junior Designer", "design"),
    ("farid", "Farid Rahimi", "JUNIOR", "Associate PM", "product"),
    ("gia", "Gia Nguyen", "INTERN", "Platform Intern", "platform"),
    ("hugo", "Hugo Lefèvre", "INTERN", "Web Intern", "web"),
    ("isla", "Isla Campbell", "INTERN", "Data Intern", "data"),
    ("jamal", "Jamal Brooks", "MID", "Technical Writer", "product"),
    ("kira", "Kira Sato", "SENIOR", "Security Engineer", "platform"),
    ("leo", "Leo Rossi", "MID", "QA Engineer", "web"),
    ("mia", "Mia Schmidt", "LEAD", "Design Lead", "design"),
    ("nils", "Nils Andersen", "MID", "Recruiter", "leadership"),
]

TEAM_SKILLS = {
    "leadership": ["Leadership", "People Management", "System Design", "Communication", "Recruiting", "Negotiation"],
    "product": ["Product Management", "Agile", "Communication", "UX Design", "Data Analysis", "Technical Writing"],
    "platform": [
        "Kubernetes",
        "Python",
        "Go",
        "Terraform",
        "Amazon Web Services",
        "Linux",
        "Site Reliability Engineering",
        "Docker",
        "PostgreSQL",
        "Security",
    ],
    "web": [
        "JavaScript",
        "TypeScript",
        "React",
        "Python",
        "Django",
        "GraphQL",
        "PostgreSQL",
        "Testing",
        "Accessibility",
    ],
    "data": ["Python", "SQL", "Machine Learning", "Data Analysis", "PostgreSQL", "Go"],
    "design": ["UX Design", "Accessibility", "Public Speaking", "Mentoring", "Communication"],
}

# Who manages whom: team managers report to directors, everyone else to their team's manager.
TEAM_MANAGER = {
    "platform": "kwame",
    "web": "ines",
    "data": "tomas",
    "design": "priya",
    "product": "sofia",
    "leadership": "maria",
}


@dataclass
class DemoOrg:
    members: dict[str, User] = field(default_factory=dict)
    teams: dict[str, list[str]] = field(default_factory=dict)
    manager_of: dict[str, str] = field(default_factory=dict)
    created: bool = False


def seed(rng: random.Random) -> DemoOrg:
    from profiles.services import verify_organisation

    org = DemoOrg()
    # The demo's organisation is verified: its members' verified addresses make them starting points of trust.
    workplace = verify_organisation(None, domain=DEMO_DOMAIN, name="Northwind Labs")
    for username, name, seniority, title, team in PEOPLE:
        user = User.objects.filter(username=username).first()
        if user is None:
            org.created = True
            user = create_member(
                email=f"{username}@{DEMO_DOMAIN}",
                username=username,
                password=DEMO_PASSWORD,
                display_name=name,
                seniority=Seniority(seniority),
                headline=f"{title} at Northwind Labs",
                organisation="Northwind Labs",
                title=title,
            )
            pool = TEAM_SKILLS[team]
            for skill in rng.sample(pool, k=min(len(pool), rng.randint(3, 6))):
                add_skill(user, name=skill)
        org.members[username] = user
        org.teams.setdefault(team, []).append(username)
    if "maria" in org.members:  # the CTO administers the organisation on Vouch (confirms seniority)
        workplace.admins.add(org.members["maria"])
    for username, _, seniority, _, team in PEOPLE:
        manager = TEAM_MANAGER[team]
        if username == manager:
            manager = "maria" if seniority in ("DIRECTOR",) or team in ("leadership",) else "david"
            if username == "maria":
                continue
            if team == "product":
                manager = "maria"
        org.manager_of[username] = manager
    return org


def listed(user: User) -> list[MemberSkill]:
    return list(MemberSkill.objects.filter(member=user).select_related("skill"))
