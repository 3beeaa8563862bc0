from .models import Association


def association(request):
    return {"association": Association.current()}
