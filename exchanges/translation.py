"""What of an exchange program is read in the partners' languages (django-modeltranslation):
its description and the questions its applicants answer."""

from modeltranslation.translator import TranslationOptions, register

from .models import Program, Question


@register(Program)
class ProgramTranslation(TranslationOptions):
    fields = ("title", "summary", "description", "eligibility")


@register(Question)
class QuestionTranslation(TranslationOptions):
    fields = ("text", "help_text")
