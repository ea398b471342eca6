/* Adds copy link, the device's share sheet and the reader's Mastodon server to the plain
   share links (which work without it). Hand-written to stay under 2 KB. README: "Sharing". */
(()=>{const s=document.querySelector(".share");if(!s)return;
const q=c=>s.querySelector(c),u=new URL(s.dataset.url,location).href,t=s.dataset.title,st=q(".share-status"),K="share-mastodon-server",
say=m=>{st.textContent="";setTimeout(()=>st.textContent=m,99)},
show=b=>b&&(b.parentNode.hidden=!1),c=q("[data-share=copy]"),n=q("[data-share=native]");
if(c&&navigator.clipboard){show(c);c.onclick=()=>navigator.clipboard.writeText(u).then(()=>say("Link copied: "+u),()=>say("Could not copy. The link is "+u))}
if(n&&navigator.share){show(n);n.onclick=()=>navigator.share({title:t,url:u}).catch(e=>e.name=="AbortError"||say("Could not share. The link is "+u))}
const m=q("[data-share=mastodon]"),f=q(".share-server");if(!m||!f)return;
const i=f.elements.instance,er=q(".share-error"),sv=q(".share-saved"),
get=()=>{try{return localStorage.getItem(K)||""}catch(e){return""}},
/* A host name only (no scheme, path, port, user): opens only https://<host>/share */
host=v=>(v=v.trim().toLowerCase().replace(/^https?:\/\//,"").replace(/\/$/,"").replace(/^@?[^@\/]+@/,""),/^(?=.{4,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+([a-z]{2,63}|xn--[a-z0-9-]{1,59})$/.test(v)?v:""),
saved=()=>{const h=host(get());sv.hidden=!h;sv.querySelector("b").textContent=h;return h},
go=h=>open("https://"+h+"/share"+new URL(m.href).search,"_blank","noopener,noreferrer"),
ask=()=>{f.hidden=!1;i.value=get();i.focus()};
saved();
m.onclick=e=>{e.preventDefault();const h=saved();h?go(h):ask()};
q(".share-change").onclick=ask;
f.onsubmit=e=>{e.preventDefault();const h=host(i.value);
if(!h){i.setAttribute("aria-invalid","true");er.textContent="Enter your server's name, like mastodon.social";i.focus();return}
i.removeAttribute("aria-invalid");er.textContent="";try{localStorage.setItem(K,h)}catch(e){}
f.hidden=!0;saved();m.focus();go(h)}})();
