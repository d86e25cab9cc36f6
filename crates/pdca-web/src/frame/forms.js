// The frame's forms (served from /static/forms.js on every page): warns before leaving a page
// while a form marked `data-warn-unsaved` holds something typed but not sent. A field counts as
// changed when its value differs from the one the page was loaded with (typing and deleting back
// is not a change). A form that came back refused with what was typed (it has `data-unsaved`,
// holds an element with `data-unsaved` or an `.error-summary`, or is the page's only such form
// under the page's error summary) counts as unsaved from the start. The form being submitted
// does not warn.
(function () {
  'use strict';
  var forms = Array.prototype.slice.call(document.querySelectorAll('form[data-warn-unsaved]'));
  if (forms.length === 0) return;

  var refused = forms.filter(function (form) {
    return form.hasAttribute('data-unsaved') || form.querySelector('[data-unsaved], .error-summary') !== null;
  });
  var summary = document.querySelector('.error-summary');
  if (refused.length === 0 && forms.length === 1 && summary && !summary.closest('form')) {
    refused = forms;
  }
  var sending = [];

  function selectChanged(select) {
    var options = select.options;
    if (select.multiple) {
      for (var i = 0; i < options.length; i += 1) {
        if (options[i].selected !== options[i].defaultSelected) return true;
      }
      return false;
    }
    // A single select without a `selected` option starts on its first enabled option.
    var initial = -1;
    for (var j = 0; j < options.length; j += 1) {
      if (options[j].defaultSelected) initial = j;
    }
    if (initial === -1) {
      for (var k = 0; k < options.length; k += 1) {
        if (!options[k].disabled) {
          initial = k;
          break;
        }
      }
    }
    return select.selectedIndex !== initial;
  }

  function fieldChanged(field) {
    var tag = field.tagName.toLowerCase();
    if (tag === 'textarea') return field.value !== field.defaultValue;
    if (tag === 'select') return selectChanged(field);
    if (tag !== 'input') return false;
    switch (field.type) {
      case 'hidden':
      case 'submit':
      case 'button':
      case 'reset':
      case 'image':
        return false;
      case 'checkbox':
      case 'radio':
        return field.checked !== field.defaultChecked;
      case 'file':
        return field.value !== '';
      default:
        return field.value !== field.defaultValue;
    }
  }

  function unsaved(form) {
    if (sending.indexOf(form) !== -1) return false;
    if (refused.indexOf(form) !== -1) return true;
    var fields = form.elements;
    for (var i = 0; i < fields.length; i += 1) {
      if (fieldChanged(fields[i])) return true;
    }
    return false;
  }

  forms.forEach(function (form) {
    form.addEventListener('submit', function () {
      if (sending.indexOf(form) === -1) sending.push(form);
    });
  });
  // Back on a page kept by the browser (back/forward cache), nothing is being sent any more.
  window.addEventListener('pageshow', function (event) {
    if (event.persisted) sending = [];
  });
  window.addEventListener('beforeunload', function (event) {
    if (forms.some(unsaved)) {
      event.preventDefault();
      event.returnValue = '';
    }
  });
})();
