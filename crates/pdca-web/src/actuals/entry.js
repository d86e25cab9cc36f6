// The entry page (/entry): warns before leaving with values typed but not saved, and keeps
// the 「入力済み」 count of the save bar up to date while typing. Served from /static/entry.js.
(function () {
  'use strict';
  var form = document.getElementById('entry-form');
  if (!form) return;
  var dirty = false;
  var sending = false;
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

  form.addEventListener('input', function () {
    dirty = true;
    recount();
  });
  form.addEventListener('submit', function () {
    sending = true;
  });
  // A refused form comes back with values typed but not saved.
  if (document.getElementById('error-summary') || form.querySelector('[id^="conflict-"]')) {
    dirty = true;
  }
  window.addEventListener('beforeunload', function (event) {
    if (dirty && !sending) {
      event.preventDefault();
      event.returnValue = '';
    }
  });
  var summary = document.getElementById('error-summary');
  if (summary) summary.focus();
})();
