"""Legal aid and services (plan priority areas 5.3.2 and 5.3.3): legal advice, vocational training,
employment support, education, health and social services given to internally displaced and
conflict-affected women and girls and their families. One record per service given, the person named
only by a pseudonymous beneficiary code. The most restricted registry: the providing organisation and
coordinators only; evaluators see counts; never exported person by person. A registry kind
(``registries.kinds``); may import core, accounts, plan, reporting and registries."""
