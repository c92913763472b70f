"""The shared list of event topics (the resolutions on Women, Peace and Security and the subjects the
plan's trainings and campaigns cover). Names in English with Azerbaijani and Russian translations."""

from django.db import migrations

TOPICS = [
    ("unscr-1325", "UNSCR 1325 (Women, Peace and Security)", "BMT TŞ-nin 1325 saylı qətnaməsi", "Резолюция СБ ООН 1325"),
    ("unscr-1820", "UNSCR 1820", "BMT TŞ-nin 1820 saylı qətnaməsi", "Резолюция СБ ООН 1820"),
    ("unscr-1888", "UNSCR 1888", "BMT TŞ-nin 1888 saylı qətnaməsi", "Резолюция СБ ООН 1888"),
    ("unscr-1889", "UNSCR 1889", "BMT TŞ-nin 1889 saylı qətnaməsi", "Резолюция СБ ООН 1889"),
    ("unscr-1960", "UNSCR 1960", "BMT TŞ-nin 1960 saylı qətnaməsi", "Резолюция СБ ООН 1960"),
    ("unscr-2106", "UNSCR 2106", "BMT TŞ-nin 2106 saylı qətnaməsi", "Резолюция СБ ООН 2106"),
    ("unscr-2122", "UNSCR 2122", "BMT TŞ-nin 2122 saylı qətnaməsi", "Резолюция СБ ООН 2122"),
    ("unscr-2242", "UNSCR 2242", "BMT TŞ-nin 2242 saylı qətnaməsi", "Резолюция СБ ООН 2242"),
    ("cedaw", "CEDAW", "Qadınlara qarşı ayrı-seçkiliyin bütün formalarının ləğv edilməsi haqqında Konvensiya", "КЛДЖ (CEDAW)"),
    ("gbv-prevention", "Prevention of gender-based violence", "Gender əsaslı zorakılığın qarşısının alınması", "Предотвращение гендерного насилия"),
    ("mediation", "Mediation", "Mediasiya", "Медиация"),
    ("leadership", "Leadership and communication", "Liderlik və ünsiyyət", "Лидерство и коммуникация"),
    ("civil-defence", "Civil defence", "Mülki müdafiə", "Гражданская оборона"),
    ("financial-literacy", "Financial literacy and starting a business", "Maliyyə savadlılığı və biznesə başlamaq", "Финансовая грамотность и открытие бизнеса"),
    ("human-rights", "Women's human rights", "Qadınların insan hüquqları", "Права женщин"),
    ("trafficking", "Combating trafficking in human beings", "İnsan alverinə qarşı mübarizə", "Борьба с торговлей людьми"),
    ("idp-women", "Needs of internally displaced and conflict-affected women", "Məcburi köçkün və münaqişədən zərər çəkmiş qadınların ehtiyacları", "Потребности вынужденно перемещённых и пострадавших от конфликта женщин"),
    ("peacebuilding", "Peacebuilding and conflict prevention", "Sülh quruculuğu və münaqişələrin qarşısının alınması", "Миростроительство и предотвращение конфликтов"),
]


def add_topics(apps, schema_editor):
    Topic = apps.get_model("registries", "Topic")
    for position, (code, en, az, ru) in enumerate(TOPICS):
        Topic.objects.update_or_create(
            code=code,
            defaults={"name": en, "position": position, "translations": {"az": {"name": az}, "ru": {"name": ru}}},
        )


def remove_topics(apps, schema_editor):
    apps.get_model("registries", "Topic").objects.filter(code__in=[t[0] for t in TOPICS]).delete()


class Migration(migrations.Migration):
    dependencies = [("registries", "0001_initial")]
    operations = [migrations.RunPython(add_topics, remove_topics)]
