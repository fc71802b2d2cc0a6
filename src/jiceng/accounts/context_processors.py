from jiceng.accounts.permissions import navigation_for
from jiceng.core.models import Notification


def navigation(request):
    """The side navigation: the pages the apps registered for the user's roles."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}

    unread = Notification.objects.filter(user=user, read_at__isnull=True).count()
    return {
        "nav_items": navigation_for(user),
        "is_staff_role": user.is_staff_role,
        "unread_notifications": unread,
    }
