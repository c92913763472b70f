"""Routes of the plan API, included under /api/v1/ in the ``api`` namespace (``config/api.py``)."""

from rest_framework.routers import SimpleRouter

from . import api

router = SimpleRouter()
router.register("plans", api.PlanViewSet, basename="plan")
router.register("organisations", api.OrganisationViewSet, basename="organisation")
router.register("pillars", api.PillarViewSet, basename="pillar")
router.register("objectives", api.ObjectiveViewSet, basename="objective")
router.register("expected-results", api.ExpectedResultViewSet, basename="expected-result")
router.register("priority-areas", api.PriorityAreaViewSet, basename="priority-area")
router.register("activities", api.ActivityViewSet, basename="activity")
router.register("indicators", api.IndicatorViewSet, basename="indicator")
router.register("assignments", api.AssignmentViewSet, basename="assignment")

urlpatterns = router.urls
