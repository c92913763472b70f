"""A small valid plan file, as YAML text, for tests that change one thing in it."""

MINIMAL_PLAN = """\
format: wpsnap-plan/1
slug: test-plan
country: ZZ
title: Test national action plan
period: {start: 2024, end: 2026}
status: adopted
default_language: en
languages: [en]
coordinator: coord
pillars:
  - key: prevention
    number: '1.1'
    title: Prevention
    objective: {code: '2.1', text: Prevent conflict.}
  - key: protection
    number: '1.2'
    title: Protection
    objective: {code: '2.2', text: Protect women and girls.}
agencies:
  - {key: coord, name: Coordinating Committee, short_name: CC, kind: state_committee}
  - {key: moi, name: Ministry of Interior, short_name: MoI, kind: ministry}
  - {key: ngos, name: NGOs, kind: collective, member_kinds: [ngo]}
priority_areas:
  - code: '1.1.1'
    pillar: prevention
    title: Raise awareness
    period: {start: 2024, end: 2025}
    agencies:
      - {agency: coord, role: implementer}
      - {agency: ngos, role: recommended}
    activities:
      - key: 1.1.1-1
        code: 1.1.1.1
        text: Conduct trainings.
        indicators:
          - key: 1.1.1-1-i1
            text: Number of trainings, and number of participants disaggregated by gender and age
            kind: count
            disaggregation: [sex, age]
  - code: '1.2.1'
    pillar: protection
    title: Legal aid
    period: {start: 2024, end: 2026}
    agencies:
      - {agency: moi, role: implementer}
    activities:
      - key: 1.2.1-1
        code: 1.2.1.1
        text: Provide legal aid.
"""
