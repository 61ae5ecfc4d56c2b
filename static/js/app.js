// budgetgrid progressive enhancement. Loaded as a module with defer
// semantics; every journey works without it.
document.body.classList.add('js-enabled', 'govuk-frontend-supported');
const govuk = document.body.dataset.govukJs;
if (govuk) {
  import(govuk).then((m) => m.initAll()).catch(() => {});
}
