"""The association the site belongs to: who it is (name, contact details) and how it writes
money and dates. A leaf: it imports none of the project's other apps, so every app
(payments included) may import it without breaking DESIGN.md's one-way dependencies."""
