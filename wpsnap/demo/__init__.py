"""Demo data for ``make run`` and the tests: the Azerbaijan plan, a coordinator, focal points and
approvers at five agencies, an NGO contributor and an evaluator, each with a known password and,
where the role needs one, a second factor whose codes the ``demo totp`` command prints; then their
progress reports for 2020-2023 (``reports``) and the events and participants their agencies recorded
(``events``).

Sits on top of the dependency chain: it may import every app, and nothing imports it except tests.
"""
