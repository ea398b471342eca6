/* Copy buttons on the Subscribe page: shown only where the clipboard can be written; without
   script the address stays a read-only field to select and copy by hand. */
(()=>{const st=document.querySelector(".copy-status");
for(const b of document.querySelectorAll("[data-copy]")){const f=document.getElementById(b.dataset.copy);
if(!f||!navigator.clipboard)continue;b.hidden=!1;
b.onclick=()=>navigator.clipboard.writeText(f.value).then(()=>{st.textContent="Copied: "+f.value},()=>{f.select();st.textContent="Could not copy; the address is selected, press Ctrl+C."})}})();
