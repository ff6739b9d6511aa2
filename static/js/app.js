// Progressive enhancement only: every page works without JavaScript.
import { initAll } from "../govuk/govuk-frontend.min.js";

initAll();

// Tables stack on phones (CSS, issue 22.4): name each cell after its column where the
// template has not already (data-label). Without JavaScript the cells stack unnamed.
for (const table of document.querySelectorAll("table.govuk-table:not(.app-calendar)")) {
  const headers = Array.from(table.querySelectorAll("thead th")).map((th) =>
    th.textContent.trim(),
  );
  for (const row of table.querySelectorAll("tbody tr")) {
    Array.from(row.children).forEach((cell, index) => {
      if (cell.tagName === "TD" && !cell.hasAttribute("data-label") && headers[index]) {
        cell.setAttribute("data-label", headers[index]);
      }
    });
  }
}
