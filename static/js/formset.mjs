// Enhance the project form; it works without this. Fill the slug in from the name until the
// person types their own, and move focus into a row that htmx has just added.
const form = document.querySelector("[data-project-form]");

function slugify(text) {
  return text
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 50)
    .replace(/-+$/, "");
}

if (form) {
  const name = form.querySelector("#id_name");
  const slug = form.querySelector("#id_slug");
  if (name && slug) {
    let typed = slug.value !== "";
    slug.addEventListener("input", () => {
      typed = slug.value !== "";
    });
    name.addEventListener("input", () => {
      if (!typed) slug.value = slugify(name.value);
    });
  }

  document.body.addEventListener("htmx:afterSettle", (event) => {
    const rows = event.detail.target;
    if (!(rows instanceof Element) || !rows.matches("[data-formset-rows]")) return;
    const field = rows.lastElementChild?.querySelector(
      "input:not([type=hidden]), select, textarea",
    );
    field?.focus();
  });
}
