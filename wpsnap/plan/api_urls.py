"""Routes of the plan API, included under /api/v1/ in the ``api`` namespace (``config/api.py``)."""

from rest_framework.routers import SimpleRouter

from . import api

router = SimpleRouter()
router.register("plans", api.PlanViewSet, basename="plan")
router.register("organisations", api.OrganisationViewSet, basename="organisation")

urlpatterns = router.urls
