"""Load the starting taxonomy so every installation knows "JS" means JavaScript."""

from django.db import migrations


def load(apps, schema_editor):
    from skills.normalise import key_for, slug_for
    from skills.taxonomy import TAXONOMY

    Skill = apps.get_model("skills", "Skill")
    SkillAlias = apps.get_model("skills", "SkillAlias")
    for name, aliases in TAXONOMY.items():
        skill, _ = Skill.objects.get_or_create(key=key_for(name), defaults={"name": name, "slug": slug_for(name)})
        for alias in aliases:
            key = key_for(alias)
            if not Skill.objects.filter(key=key).exists():
                SkillAlias.objects.get_or_create(key=key, defaults={"skill": skill})


class Migration(migrations.Migration):
    dependencies = [("skills", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
