from .models import Association


def association(request):
    # Memoised on the request only: a request that renders several templates reads it
    # once, and the next request reads it afresh (see Association.current).
    if not hasattr(request, "_nsca_association"):
        request._nsca_association = Association.current()
    return {"association": request._nsca_association}
