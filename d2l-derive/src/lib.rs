//! `#[derive(Module)]` for the `d2l` crate (use it as `d2l::Module`, which the prelude
//! exports).
//!
//! The derive writes the `d2l::nn::Module` impl of a struct from its fields, in declaration
//! order, as PyTorch registers attributes in the order `__init__` assigns them: a field that is a
//! `Parameter` (or `Option<Parameter>`) is one of the module's own parameters, a field that is a
//! module (or `Option` of one) is a sub-module, named after the field. Any other field must be
//! marked `#[module(skip)]`, so a field cannot be forgotten silently: leaving the mark out is a
//! compile error. `forward` is the struct's own (inherent) method, which the impl calls.
//!
//! Field attributes: `#[module(skip)]`, `#[module(name = "0")]` (another name than the field's),
//! `#[module(id)]` on a `d2l::nn::ModuleId` field (the module's identity: clones share it).
//! Struct attribute: `#[module(name = "MLP")]` (the class name printed in the tree).
//!
//! ```ignore
//! use d2l::prelude::*;
//!
//! #[derive(Module)]
//! struct NestMLP {
//!     net: Sequential,
//!     linear: Linear,
//! }
//!
//! impl NestMLP {
//!     fn forward(&self, x: &Tensor) -> d2l::Result<Tensor> {
//!         self.linear.forward(&self.net.forward(x)?)
//!     }
//! }
//! ```

use proc_macro::TokenStream;
use quote::{format_ident, quote};
use syn::{Data, DeriveInput, Fields, LitStr, parse_macro_input, spanned::Spanned};

#[derive(Default)]
struct FieldOptions {
    skip: bool,
    id: bool,
    name: Option<String>,
}

fn options(attrs: &[syn::Attribute]) -> syn::Result<FieldOptions> {
    let mut out = FieldOptions::default();
    for attr in attrs.iter().filter(|a| a.path().is_ident("module")) {
        attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("skip") {
                out.skip = true;
            } else if meta.path.is_ident("id") {
                out.id = true;
            } else if meta.path.is_ident("name") {
                out.name = Some(meta.value()?.parse::<LitStr>()?.value());
            } else {
                return Err(meta.error("expected `skip`, `id` or `name = \"...\"`"));
            }
            Ok(())
        })?;
    }
    Ok(out)
}

/// Derives `d2l::nn::Module` from the struct's fields; see the crate documentation.
#[proc_macro_derive(Module, attributes(module))]
pub fn derive_module(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    match expand(&input) {
        Ok(ts) => ts.into(),
        Err(e) => e.to_compile_error().into(),
    }
}

fn expand(input: &DeriveInput) -> syn::Result<proc_macro2::TokenStream> {
    let ty = &input.ident;
    let (impl_generics, ty_generics, where_clause) = input.generics.split_for_impl();
    let Data::Struct(data) = &input.data else {
        return Err(syn::Error::new(
            input.span(),
            "#[derive(Module)] is for structs; write `impl Module` by hand for an enum",
        ));
    };
    let struct_opts = options(&input.attrs)?;
    let mut collect = Vec::new();
    let mut id = None;
    let members: Vec<(syn::Member, &syn::Field)> = match &data.fields {
        Fields::Named(f) => f
            .named
            .iter()
            .map(|f| {
                (
                    syn::Member::Named(f.ident.clone().expect("a named field")),
                    f,
                )
            })
            .collect(),
        Fields::Unnamed(f) => f
            .unnamed
            .iter()
            .enumerate()
            .map(|(i, f)| (syn::Member::Unnamed(i.into()), f))
            .collect(),
        Fields::Unit => Vec::new(),
    };
    for (member, field) in &members {
        let opts = options(&field.attrs)?;
        if opts.id {
            if id.is_some() {
                return Err(syn::Error::new(
                    field.span(),
                    "only one field can be `#[module(id)]`",
                ));
            }
            id = Some(member.clone());
            continue;
        }
        if opts.skip {
            continue;
        }
        let name = opts.name.unwrap_or_else(|| match member {
            syn::Member::Named(i) => i.to_string().trim_start_matches("r#").to_string(),
            syn::Member::Unnamed(i) => i.index.to_string(),
        });
        let span = field.ty.span();
        collect.push(quote::quote_spanned! {span=>
            ::d2l::nn::derive::ModuleField::collect(&self.#member, #name, &mut params, &mut subs);
        });
    }
    let type_name = struct_opts.name.map(|n| {
        quote! {
            fn type_name(&self) -> ::std::string::String { ::std::string::String::from(#n) }
        }
    });
    let module_id = id.map(|m| {
        quote! {
            fn module_id(&self) -> ::std::option::Option<::d2l::nn::ModuleId> {
                ::std::option::Option::Some(::std::clone::Clone::clone(&self.#m))
            }
        }
    });
    let guard = format_ident!("{}NeedsAForwardMethod", ty);
    Ok(quote! {
        impl #impl_generics ::d2l::nn::Module for #ty #ty_generics #where_clause {
            fn forward(&self, x: &::d2l::Tensor) -> ::d2l::Result<::d2l::Tensor> {
                // The struct's own `forward` (an inherent method wins over any trait's). Without
                // one, this call is ambiguous or of the wrong type: a compile error, not a
                // `forward` that calls itself.
                #[allow(non_camel_case_types, dead_code)]
                struct #guard;
                #[allow(non_camel_case_types, dead_code)]
                trait __D2lInherentForward {
                    fn forward(&self, x: &::d2l::Tensor) -> #guard;
                }
                impl #impl_generics __D2lInherentForward for #ty #ty_generics #where_clause {
                    fn forward(&self, _: &::d2l::Tensor) -> #guard {
                        #guard
                    }
                }
                self.forward(x)
            }

            fn own_parameters(&self) -> ::std::vec::Vec<(&str, &::d2l::Parameter)> {
                let (mut params, mut subs) = (::std::vec::Vec::new(), ::std::vec::Vec::new());
                #(#collect)*
                let _ = subs;
                params
            }

            fn submodules(&self) -> ::std::vec::Vec<(&str, &dyn ::d2l::nn::Module)> {
                let (mut params, mut subs) = (::std::vec::Vec::new(), ::std::vec::Vec::new());
                #(#collect)*
                let _ = params;
                subs
            }

            #type_name
            #module_id
        }

        impl #impl_generics ::std::fmt::Display for #ty #ty_generics #where_clause {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(&::d2l::nn::ModuleExt::repr(self))
            }
        }
    })
}
