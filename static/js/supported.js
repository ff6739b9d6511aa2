// Runs at the start of <body>: lets GOV.UK Frontend style the page for JavaScript before
// it is drawn. A file rather than inline script, so pages need no CSP nonce and can be cached.
document.body.className += " js-enabled" + ("noModule" in HTMLScriptElement.prototype ? " govuk-frontend-supported" : "");
