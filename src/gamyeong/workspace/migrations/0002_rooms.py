from django.db import migrations

# The seed's table "데이터 분석 환경 구축 현황: 폐쇄형 분석 공간 운영".
ROOMS = [
    {
        "code": "analysis-room",
        "order": 1,
        "name_ko": "가명정보 분석실",
        "name_en": "Pseudonymized-data analysis room",
        "floor": "14층",
        "seats": 6,
        "purpose_ko": "가명정보 분석",
        "purpose_en": "Analysis of pseudonymized data",
        "data_classes": "pseudonymized",
        "workstation": "워크스테이션 PC",
        "software": "SAS, SPSS, STATA, Anaconda (Python), R",
        "hardware": "GPU (GeForce RTX 4070)",
    },
    {
        "code": "innovation-zone",
        "order": 2,
        "name_ko": "개인정보 이노베이션 존",
        "name_en": "Personal-information innovation zone",
        "floor": "14층",
        "seats": 4,
        "purpose_ko": "가명정보 및 개인정보 분석",
        "purpose_en": "Analysis of pseudonymized and personal data",
        "data_classes": "pseudonymized_and_personal",
        "workstation": "워크스테이션 PC",
        "software": "SAS, SPSS, STATA, Anaconda (Python), R",
        "hardware": "GPU (GeForce RTX 4090)",
    },
]


def load(apps, schema_editor):
    model = apps.get_model("workspace", "AnalysisRoom")
    for room in ROOMS:
        model.objects.update_or_create(code=room["code"], defaults=room)


class Migration(migrations.Migration):
    dependencies = [("workspace", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
