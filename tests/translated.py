"""Admin forms in tests: a translated field (django-modeltranslation) is posted in its
English column, `<field>_en`, as the admin's change form shows it."""

from modeltranslation.translator import NotRegistered, translator


def translated_fields(model) -> set[str]:
    try:
        return set(translator.get_options_for_model(model).fields)
    except NotRegistered:
        return set()


def in_english(data: dict, model, *, inlines: dict | None = None) -> dict:
    """`data` with each translated field of `model` (and of the inline models, by formset
    prefix) named as its English column."""
    fields = translated_fields(model)
    prefixes = {prefix: translated_fields(inline) for prefix, inline in (inlines or {}).items()}
    renamed = {}
    for key, value in data.items():
        name = key
        if key in fields:
            name = f"{key}_en"
        else:
            prefix, _dash, rest = key.partition("-")
            index, _dash, field = rest.partition("-")
            if prefix in prefixes and index.isdigit() and field in prefixes[prefix]:
                name = f"{prefix}-{index}-{field}_en"
        renamed[name] = value
    return renamed
