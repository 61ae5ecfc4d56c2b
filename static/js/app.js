// budgetgrid progressive enhancement, loaded as a module (deferred by
// nature). Every journey works without it. Module URLs are content-hashed,
// so they come from data attributes on <body> rather than relative imports.
document.body.classList.add('js-enabled', 'govuk-frontend-supported');
const urls = document.body.dataset;

if (urls.govukJs) {
  import(urls.govukJs).then((m) => m.initAll()).catch(() => {});
}

const lotForm = document.querySelector('[data-bg-lot]');
if (lotForm && urls.budgetJs && urls.lotJs) {
  Promise.all([import(urls.budgetJs), import(urls.lotJs)])
    .then(([budget, lot]) => lot.enhance(lotForm, budget))
    .catch(() => {});
}
