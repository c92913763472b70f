"""Women candidates for military and police service (plan activity 5.2.1.2): the database of women with
skills for the armed forces and the police, especially for leadership posts, that the recruiting
authorities keep. Personal data: visible only to the authorities the plan assigns to 5.2.1.2 (held as plan
data) and coordinators; evaluators see counts only. A registry kind (``registries.kinds``); may import
core, accounts, plan, reporting and registries."""
