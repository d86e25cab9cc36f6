// The entry page (/entry): keeps the 「入力済み」 count of the save bar up to date while typing,
// and brings a refused form's error summary into focus. The warning before leaving with values
// typed but not saved is the frame's (/static/forms.js, `data-warn-unsaved` on the form).
// Served from /static/entry.js.
(function () {
  'use strict';
  var form = document.getElementById('entry-form');
  if (!form) return;
  var count = document.getElementById('entry-filled');

  function recount() {
    if (!count) return;
    var rows = form.querySelectorAll('tr.entry-row');
    var filled = 0;
    rows.forEach(function (row) {
      if (row.hasAttribute('data-stored')) {
        filled += 1;
        return;
      }
      var fields = row.querySelectorAll('input[name^="value:"], input[name^="numerator:"], textarea[name^="value:"]');
      for (var i = 0; i < fields.length; i += 1) {
        if (fields[i].value.trim() !== '') {
          filled += 1;
          return;
        }
      }
    });
    count.textContent = filled + '/' + count.getAttribute('data-total');
  }

  form.addEventListener('input', recount);
  var summary = document.getElementById('error-summary');
  if (summary) summary.focus();
})();
