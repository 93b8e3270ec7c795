//! `/api`: the API reference as a page, read from the same OpenAPI document that
//! `/openapi.json` serves, so the two never disagree.
use actix_web::HttpResponse;
use askama::Template;

/// One operation as the page lists it.
struct Operation {
    method: &'static str,
    path: String,
    summary: String,
}

/// The operations of one tag (`Users`, `Groups`, …).
struct Section {
    name: String,
    operations: Vec<Operation>,
}

#[derive(Template)]
#[template(path = "api.html")]
struct ReferencePage {
    description: String,
    sections: Vec<Section>,
}

fn sections() -> Vec<Section> {
    let doc = super::openapi();
    let mut sections: Vec<Section> = Vec::new();
    for (path, item) in doc.paths.paths {
        let operations = [
            ("GET", item.get),
            ("POST", item.post),
            ("PUT", item.put),
            ("PATCH", item.patch),
            ("DELETE", item.delete),
        ];
        for (method, operation) in operations {
            let Some(operation) = operation else {
                continue;
            };
            let tag = operation
                .tags
                .as_ref()
                .and_then(|t| t.first().cloned())
                .unwrap_or_else(|| "Other".to_owned());
            let summary = operation
                .summary
                .or(operation.description)
                .unwrap_or_default();
            let entry = Operation {
                method,
                path: path.clone(),
                // The document's Markdown, as plain words.
                summary: summary.replace('`', ""),
            };
            match sections.iter_mut().find(|s| s.name == tag) {
                Some(section) => section.operations.push(entry),
                None => sections.push(Section {
                    name: tag,
                    operations: vec![entry],
                }),
            }
        }
    }
    sections
}

pub async fn page() -> HttpResponse {
    let page = ReferencePage {
        description: super::openapi().info.description.unwrap_or_default(),
        sections: sections(),
    };
    match page.render() {
        Ok(body) => HttpResponse::Ok()
            .content_type("text/html; charset=utf-8")
            .body(body),
        Err(err) => {
            tracing::error!(error = %err, "rendering the API reference");
            HttpResponse::InternalServerError().finish()
        }
    }
}
