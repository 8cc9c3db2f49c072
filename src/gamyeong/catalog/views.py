from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from gamyeong.catalog.models import Dataset
from gamyeong.web.middleware import public


@public
def catalog_index(request: HttpRequest) -> HttpResponse:
    datasets = Dataset.objects.filter(published=True).select_related("provider", "source_system")
    return render(request, "catalog/index.html", {"datasets": datasets})


@public
def dataset_detail(request: HttpRequest, name: str) -> HttpResponse:
    dataset = get_object_or_404(Dataset, name=name, published=True)
    return render(request, "catalog/dataset.html", {"dataset": dataset})
