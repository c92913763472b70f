"""The plan as data: Plan > Pillar (Objective) > PriorityArea > Activity > Indicator, expected results,
and each agency's role; the plan file format, its parser, linter, loader and export.

May import ``wpsnap.core`` and ``wpsnap.accounts``; nothing else in wpsnap.
"""
