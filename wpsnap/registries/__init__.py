"""The registries the plan calls for, starting with events and their participants: records kept once,
from which indicator values are derived into the same cell shape as reported figures."""
